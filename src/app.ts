import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";
import type { FastifyInstance } from "fastify";
import { OtpService } from "../gen/otp/v1/otp_pb.js";
import { VerifyService } from "../gen/otp/v1/verify_pb.js";
import type { Carrier } from "./carrier/index.js";
import type { Config } from "./config/index.js";
import { assembleDomain, type Domain, type DomainDeps } from "./domain.js";
import { createHealthService } from "./health/health-service.js";
import { healthRoutes } from "./http/health-routes.js";
import { createHttpServer } from "./http/http-server.js";
import { metricsRoute } from "./http/metrics-route.js";
import type { Readiness } from "./http/readiness.js";
import { createRpcServing } from "./http/rpc-serving.js";
import { sandboxRoutes } from "./http/sandbox-routes.js";
import { webhookRoutes } from "./http/webhook-routes.js";
import { createMetrics, type GatewayMetrics } from "./observability/metrics.js";
import { tracingEnabled } from "./observability/tracing-enabled.js";
import { eventHookRoutes } from "./okta/event-hook-route.js";
import { createHeaderAuthenticator } from "./okta/hook-auth.js";
import { oktaHookRoutes } from "./okta/hook-route.js";
import { createFixedCallerInterceptor } from "./otp/api-key-auth.js";
import { hookCallerName } from "./otp/caller.js";
import { createBearerInterceptor, createOtpClient, type OtpClient } from "./otp/client/index.js";
import { createRpcMetricsInterceptor } from "./otp/rpc-metrics.js";

export type { Readiness } from "./http/readiness.js";

/** What the gateway is built from: the config, the logger, and what tests swap (carrier, store, clock). */
export type GatewayDeps = Omit<DomainDeps, "metrics">;

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

/** Builds the gateway's servers from injected dependencies; nothing listens yet. */
export async function buildGateway(deps: GatewayDeps): Promise<GatewayApp> {
  const { config, logger } = deps;
  const readiness: Readiness = { listening: false, shuttingDown: false };
  // The same start-up check the 8x8 client makes for its spans (carrier/http-pool.ts).
  const tracing = tracingEnabled();
  const metrics = createMetrics();
  const domain = config.role !== "facade" ? await assembleDomain({ ...deps, metrics }) : undefined;
  const { maxConnections, requestTimeoutMs, trustProxy } = config;
  const http = createHttpServer({ logger, readiness, tracing, maxConnections, requestTimeoutMs, trustProxy });

  await http.register(healthRoutes, {
    readiness,
    role: config.role,
    carrier: domain?.carrier,
    store: domain?.redis?.health,
    otpService: config.otpService,
    features: domain ? featuresOf(config, tracing) : undefined,
  });
  await http.register(metricsRoute, { registry: metrics.registry, token: config.metricsToken });
  const base = domain?.baseCarrier;
  if (domain && base?.recordedSends) {
    const recordedSends = () => base.recordedSends?.() ?? [];
    const deliveries = domain.deliveries;
    await http.register(sandboxRoutes, { recordedSends, deliveries, forgetMemory: domain.forgetMemory });
  }
  if (domain) {
    const { webhooks } = config;
    if (webhooks.notice) logger.warn(webhooks.notice);
    if (webhooks.enabled) {
      await http.register(webhookRoutes, { ...webhooks, intake: domain.intake, metrics });
    }
    const { eventHook, windowMs } = config.conversions;
    if (eventHook) {
      const now = deps.now ?? Date.now;
      await http.register(eventHookRoutes, { ...eventHook, deliveries: domain.deliveries, windowMs, metrics, now });
    }
  }

  const rpc = domain
    ? createRpcServing({
        service: domain.service,
        verify: domain.verify,
        health: createHealthService({
          services: [OtpService.typeName, VerifyService.typeName],
          serving: () => readiness.listening && !readiness.shuttingDown && !allCircuitsOpen(domain.carrier),
          draining: () => readiness.shuttingDown,
        }),
        apiKeys: config.apiKeys,
        reflection: config.grpcReflection,
        whenNoKeys: config.carrier.mode === "sandbox" ? "open" : "closed",
        tracing,
        logger,
        metrics,
      })
    : undefined;
  await rpc?.registerOn(http);
  if (config.role !== "service") {
    await http.register(oktaHookRoutes, {
      otpClient: hookClient(domain, config, tracing, metrics),
      metrics,
      authenticate: config.okta.oauth
        ? (await import("./okta/oauth-auth.js")).createOAuthAuthenticator(config.okta.oauth)
        : createHeaderAuthenticator(config.okta.authHeader, config.okta.authSecret),
      budgetMs: config.okta.hookBudgetMs,
      providerName: domain?.carrier.name ?? "otp-gateway",
      delivery: !domain ? "remote" : config.carrier.mode === "sandbox" ? "sandbox" : "live",
      refusedAnswer: config.oktaRefusedAnswer,
      defaultRegion: config.defaultPhoneRegion,
      now: deps.now,
    });
  }

  const redis = domain?.redis;
  return {
    http,
    grpcHandler: rpc?.h2Handler,
    carrier: domain?.carrier,
    readiness,
    stores: {
      ready: async (timeoutMs) => {
        // The carrier's first reading of its voices is awaited alongside, within the same bound.
        const voices = domain?.baseCarrier.ready?.();
        const bounded = voices && Promise.race([voices, new Promise((r) => setTimeout(r, timeoutMs).unref())]);
        const [connected] = await Promise.all([redis ? redis.ready(timeoutMs) : true, bounded]);
        domain?.deliveries.start();
        return connected;
      },
      close: async () => {
        domain?.deliveries.stop();
        await redis?.close();
      },
    },
  };
}

/** The façade's OtpService: in this process (trusted, named "okta-hook"), or remote with its key. */
function hookClient(domain: Domain | undefined, config: Config, tracing: boolean, metrics: GatewayMetrics): OtpClient {
  if (domain) {
    const serverInterceptors = [createFixedCallerInterceptor(hookCallerName), createRpcMetricsInterceptor(metrics)];
    return createOtpClient({ kind: "in-process", impl: domain.service, serverInterceptors, tracing });
  }
  const remote = config.otpService!;
  const interceptors = remote.apiKey ? [createBearerInterceptor(remote.apiKey)] : [];
  return createOtpClient({ kind: "remote", url: remote.url, protocol: remote.protocol, tracing }, interceptors);
}

/** Whether no channel can send: every circuit of the carrier is open. */
function allCircuitsOpen(carrier: Carrier): boolean {
  const circuits = Object.values(carrier.health?.() ?? {}) as Array<{ state?: string }>;
  return circuits.length > 0 && circuits.every((c) => c.state === "open");
}

/** What /readyz says this process takes besides sends. */
function featuresOf(config: Config, tracing: boolean): Record<string, string | boolean> {
  const { webhooks, conversions, verify, fraud } = config;
  const sampler = config.otelTracesSampler
    ? `OTEL_TRACES_SAMPLER=${config.otelTracesSampler}`
    : `at most ${config.tracesPerSecond} new traces a second`;
  return {
    receipts: webhooks.enabled ? (webhooks.secret ? "on" : "open (sandbox)") : "off (no EIGHTBYEIGHT_WEBHOOK_SECRET)",
    oktaEventHook: conversions.eventHook !== undefined,
    feedbackTo8x8: conversions.feedback,
    verify: verify.hashKey !== undefined,
    fraudRules: fraud.mode,
    tracing: tracing ? `on (${sampler})` : "off",
  };
}
