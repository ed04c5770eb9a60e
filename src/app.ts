import { fastifyConnectPlugin } from "@connectrpc/connect-fastify";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance } from "fastify";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";
import type { Logger } from "pino";
import type { Carrier } from "./carrier/carrier.js";
import { withCircuitBreaker } from "./carrier/circuit-breaker.js";
import { createEightByEightCarrier } from "./carrier/eightbyeight.js";
import { defaultRetryPolicy, withRetries } from "./carrier/retry.js";
import { createSandboxCarrier, sandboxProvider, type SandboxCarrier } from "./carrier/sandbox.js";
import type { Config } from "./config.js";
import { createMetrics } from "./observability/metrics.js";
import { createServerTracingInterceptor } from "./observability/rpc-tracing.js";
import { tracingEnabled } from "./observability/tracing-enabled.js";
import { createHeaderAuthenticator } from "./okta/hook-auth.js";
import { oktaHookRoutes } from "./okta/hook-route.js";
import { createApiKeyInterceptor, createBearerInterceptor, createFixedCallerInterceptor } from "./otp/api-key-auth.js";
import { traceHttpRequests } from "./observability/http-tracing.js";
import { createOtpClient } from "./otp/client.js";
import { createOtpService, otpRoutes } from "./otp/service.js";
import { createMemoryIdempotencyStore, type IdempotencyStore } from "./store/idempotency-store.js";
import { createMemoryRateLimitStore, type RateLimitStore } from "./store/rate-limit-store.js";

export interface GatewayDeps {
  readonly config: Config;
  readonly logger: Logger;
  /** The carrier to send through; built from the config when absent. Tests pass their own. */
  readonly carrier?: Carrier;
  /** Where idempotency keys live; in memory when absent. */
  readonly idempotency?: IdempotencyStore;
  readonly now?: () => number;
  readonly newId?: () => string;
}

/** What /readyz reports; main flips it as listeners come up and go down. */
export interface Readiness {
  listening: boolean;
  shuttingDown: boolean;
}

export interface GatewayApp {
  /** HTTP/1.1: Okta hook, health, sandbox, Connect and gRPC-Web. */
  readonly http: FastifyInstance;
  /** Shared state; `close` releases its connections, `ready` waits for them (bounded). */
  readonly stores: { ready(timeoutMs: number): Promise<boolean>; close(): Promise<void> };
  /** Request handler for the cleartext HTTP/2 listener (gRPC, Connect, gRPC-Web), if OtpService is served here. */
  readonly grpcHandler?: (req: Http2ServerRequest, res: Http2ServerResponse) => void;
  readonly carrier?: Carrier;
  readonly readiness: Readiness;
}

// Connect messages for SendOtp are well under a kilobyte.
const rpcReadMaxBytes = 64 * 1024;

/** Builds the gateway's servers from injected dependencies; nothing listens yet. */
export async function buildGateway(deps: GatewayDeps): Promise<GatewayApp> {
  const { config, logger } = deps;
  const readiness: Readiness = { listening: false, shuttingDown: false };
  const servesService = config.role !== "facade";
  const servesHook = config.role !== "service";
  // The same start-up check the 8x8 client makes for its spans (carrier/http-pool.ts).
  const tracing = tracingEnabled();

  const metrics = createMetrics();
  // Redis and JOSE are loaded only when configured: most of a module's cost is paid at import,
  // in start-up time and resident memory, by every gateway whether it uses them or not.
  const redis =
    servesService && config.store
      ? (await import("./store/redis-store.js")).createRedisStores({ ...config.store, logger: logger.child({ component: "store" }) })
      : undefined;
  const idempotency: IdempotencyStore =
    deps.idempotency ??
    redis?.idempotency ??
    createMemoryIdempotencyStore({ maxEntries: config.idempotency.maxKeys, ...(deps.now ? { now: deps.now } : {}) });
  const rateLimitStore: RateLimitStore = redis?.rateLimits ?? createMemoryRateLimitStore(deps.now ? { now: deps.now } : {});
  const baseCarrier = servesService ? (deps.carrier ?? createCarrier(config, deps.now)) : undefined;
  const carrier = baseCarrier ? resilientCarrier(baseCarrier, config, logger, deps.now) : undefined;
  const service = carrier
    ? createOtpService({
        carrier,
        logger: logger.child({ component: "otp-service" }),
        smsTemplate: config.smsTemplate,
        defaultTimeoutMs: config.rpcDefaultTimeoutMs,
        idempotency,
        idempotencyTtlMs: config.idempotency.ttlMs,
        maxConcurrentSends: config.maxConcurrentSends,
        destinationPolicy: config.destinationPolicy,
        rateLimits: { settings: config.rateLimits, store: rateLimitStore, failOpen: config.rateLimitFailOpen },
        metrics,
        ...(config.defaultPhoneRegion ? { defaultRegion: config.defaultPhoneRegion } : {}),
        ...(config.carrier.mode === "8x8" && config.carrier.voice?.profileOverride
          ? { voiceProfileOverride: config.carrier.voice.profileOverride }
          : {}),
        ...(deps.now ? { now: deps.now } : {}),
        ...(deps.newId ? { newId: deps.newId } : {}),
      })
    : undefined;
  const routes = service ? otpRoutes(service) : undefined;
  // Network listeners check API keys; the in-process façade is trusted and named instead.
  const networkInterceptors = [
    ...(tracing ? [createServerTracingInterceptor()] : []),
    createApiKeyInterceptor(config.apiKeys, config.carrier.mode === "sandbox" ? "open" : "closed"),
  ];
  if (routes && config.apiKeys.size === 0) {
    logger.warn(
      config.carrier.mode === "sandbox"
        ? "OTP_API_KEYS is not set: OtpService accepts unauthenticated network calls (sandbox only)"
        : "OTP_API_KEYS is not set: OtpService refuses all network calls; only the Okta hook can send",
    );
  }

  const http = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    bodyLimit: 64 * 1024,
    requestTimeout: 10_000,
    return503OnClosing: true,
    forceCloseConnections: "idle",
    // Fastify's two lines per request cost more than the rest of a send's logging; the hook and
    // the service each write one line with what matters, and the access line is debug only.
    logController: new LogController({ disableRequestLogging: true }),
    // No child logger per request: building one cost more than the line a send writes. Lines
    // that need the request say which one themselves (reqId, eventId, deliveryId, trace_id).
    childLoggerFactory: (parent) => parent,
  });
  // Probes and scrapes would be most of the traces and tell nothing about sends.
  if (tracing) traceHttpRequests(http, { quietRoutes: new Set(["/healthz", "/readyz", "/metrics"]) });
  if (logger.isLevelEnabled("debug")) {
    http.addHook("onResponse", async (req, reply) => {
      req.log.debug({ reqId: req.id, method: req.method, url: req.url, statusCode: reply.statusCode, responseTimeMs: Math.round(reply.elapsedTime) }, "request completed");
    });
  }

  // Slow-header clients are cut well before Node's 60 s default.
  http.server.headersTimeout = 5_000;

  http.setErrorHandler((err: FastifyError, req, reply) => {
    const status = err.statusCode ?? 500;
    if (status >= 500) {
      req.log.error({ err, reqId: req.id, method: req.method, url: req.url }, "request failed");
      return reply.code(status).send({ error: "internal error" });
    }
    return reply.code(status).send({ error: err.message });
  });

  // While draining, tell keep-alive clients to go: a socket left idle after its last answer
  // would otherwise hold shutdown open until the grace period ends.
  http.addHook("onSend", (_req, reply, payload, done) => {
    if (readiness.shuttingDown) reply.header("connection", "close");
    done(null, payload);
  });

  http.get("/healthz", async () => ({ status: "ok" }));
  http.get("/readyz", async (_req, reply) => {
    const ready = readiness.listening && !readiness.shuttingDown;
    return reply.code(ready ? 200 : 503).send({
      status: ready ? "ready" : readiness.shuttingDown ? "shutting_down" : "starting",
      role: config.role,
      ...(carrier ? { carrier: carrier.name } : {}),
      ...(carrier?.health ? { circuits: carrier.health() } : {}),
      ...(carrier ? { store: redis ? redis.health() : { kind: "memory" } } : {}),
      ...(config.otpService ? { otpService: { protocol: config.otpService.protocol } } : {}),
    });
  });

  http.get("/metrics", async (_req, reply) => {
    reply.header("content-type", metrics.registry.contentType);
    return metrics.registry.metrics();
  });

  if (routes) {
    await http.register(fastifyConnectPlugin, { routes, interceptors: networkInterceptors, readMaxBytes: rpcReadMaxBytes });
  }

  if (servesHook) {
    const remote = config.otpService;
    const otpClient = routes
      ? createOtpClient({ kind: "in-process", impl: service!, serverInterceptors: [createFixedCallerInterceptor("okta-hook")], tracing })
      : createOtpClient(
          { kind: "remote", url: remote!.url, protocol: remote!.protocol, tracing },
          remote?.apiKey ? [createBearerInterceptor(remote.apiKey)] : [],
        );
    await http.register(oktaHookRoutes, {
      otpClient,
      authenticate: config.okta.oauth
        ? (await import("./okta/oauth-auth.js")).createOAuthAuthenticator(config.okta.oauth)
        : createHeaderAuthenticator(config.okta.authHeader, config.okta.authSecret),
      budgetMs: config.okta.hookBudgetMs,
      providerName: carrier?.name ?? "otp-gateway",
      refusedAnswer: config.oktaRefusedAnswer,
      ...(config.defaultPhoneRegion ? { defaultRegion: config.defaultPhoneRegion } : {}),
      ...(deps.now ? { now: deps.now } : {}),
    });
  }

  if (baseCarrier?.name === sandboxProvider && "messages" in baseCarrier) {
    const sandbox = baseCarrier as SandboxCarrier;
    http.get("/sandbox/messages", async () => ({
      note: "sandbox carrier: nothing here was delivered to any phone",
      messages: sandbox.messages(),
    }));
  }

  return {
    http,
    ...(routes
      ? { grpcHandler: connectNodeAdapter({ routes, interceptors: networkInterceptors, readMaxBytes: rpcReadMaxBytes }) }
      : {}),
    ...(carrier ? { carrier } : {}),
    readiness,
    stores: {
      ready: (timeoutMs) => (redis ? redis.ready(timeoutMs) : Promise.resolve(true)),
      close: async () => redis?.close(),
    },
  };
}

/** Retries only provably unsent attempts, and fails fast while the carrier keeps failing. */
function resilientCarrier(base: Carrier, config: Config, logger: Logger, now?: () => number): Carrier {
  const retrying = withRetries(base, {
    ...defaultRetryPolicy,
    maxRetries: config.carrierMaxRetries,
    ...(now ? { now } : {}),
    onRetry: (info) => logger.info(info, "retrying a send the carrier provably did not take"),
  });
  return withCircuitBreaker(retrying, {
    ...config.circuitBreaker,
    ...(now ? { now } : {}),
    onStateChange: (channel, state, consecutiveFailures) =>
      (state === "open" ? logger.error.bind(logger) : logger.warn.bind(logger))(
        { channel, state, consecutiveFailures },
        state === "open" ? `carrier ${channel} circuit opened: failing fast` : `carrier ${channel} circuit ${state}`,
      ),
  });
}

function createCarrier(config: Config, now?: () => number): Carrier {
  return config.carrier.mode === "8x8" ? createEightByEightCarrier(config.carrier, now) : createSandboxCarrier(now ? { now } : {});
}
