import { fastifyConnectPlugin } from "@connectrpc/connect-fastify";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance } from "fastify";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";
import type { Logger } from "pino";
import type { Carrier } from "./carrier/carrier.js";
import { createEightByEightCarrier } from "./carrier/eightbyeight.js";
import { createSandboxCarrier, sandboxProvider, type SandboxCarrier } from "./carrier/sandbox.js";
import type { Config } from "./config.js";
import { createServerTracingInterceptor } from "./observability/rpc-tracing.js";
import { oktaHookRoutes } from "./okta/hook-route.js";
import { createOtpClient } from "./otp/client.js";
import { createOtpService, otpRoutes } from "./otp/service.js";

export interface GatewayDeps {
  readonly config: Config;
  readonly logger: Logger;
  /** The carrier to send through; built from the config when absent. Tests pass their own. */
  readonly carrier?: Carrier;
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

  const carrier = servesService ? (deps.carrier ?? createCarrier(config, deps.now)) : undefined;
  const routes = carrier
    ? otpRoutes(
        createOtpService({
          carrier,
          logger: logger.child({ component: "otp-service" }),
          smsTemplate: config.smsTemplate,
          defaultTimeoutMs: config.rpcDefaultTimeoutMs,
          ...(config.defaultPhoneRegion ? { defaultRegion: config.defaultPhoneRegion } : {}),
          ...(config.carrier.mode === "8x8" && config.carrier.voice?.profileOverride
            ? { voiceProfileOverride: config.carrier.voice.profileOverride }
            : {}),
          ...(deps.now ? { now: deps.now } : {}),
          ...(deps.newId ? { newId: deps.newId } : {}),
        }),
      )
    : undefined;
  const serverInterceptors = [createServerTracingInterceptor()];

  const http = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    bodyLimit: 64 * 1024,
    requestTimeout: 10_000,
    return503OnClosing: true,
    forceCloseConnections: "idle",
  });

  http.setErrorHandler((err: FastifyError, req, reply) => {
    const status = err.statusCode ?? 500;
    if (status >= 500) {
      req.log.error({ err }, "request failed");
      return reply.code(status).send({ error: "internal error" });
    }
    return reply.code(status).send({ error: err.message });
  });

  // While draining, tell keep-alive clients to go: a socket left idle after its last answer
  // would otherwise hold shutdown open until the grace period ends.
  http.addHook("onSend", async (_req, reply) => {
    if (readiness.shuttingDown) reply.header("connection", "close");
  });

  http.get("/healthz", { config: { otel: false } }, async () => ({ status: "ok" }));
  http.get("/readyz", { config: { otel: false } }, async (_req, reply) => {
    const ready = readiness.listening && !readiness.shuttingDown;
    return reply.code(ready ? 200 : 503).send({
      status: ready ? "ready" : readiness.shuttingDown ? "shutting_down" : "starting",
      role: config.role,
      ...(carrier ? { carrier: carrier.name } : {}),
      ...(config.otpService ? { otpService: { protocol: config.otpService.protocol } } : {}),
    });
  });

  if (routes) {
    await http.register(fastifyConnectPlugin, { routes, interceptors: serverInterceptors, readMaxBytes: rpcReadMaxBytes });
  }

  if (servesHook) {
    const otpClient = routes
      ? createOtpClient({ kind: "in-process", routes })
      : createOtpClient({ kind: "remote", url: config.otpService!.url, protocol: config.otpService!.protocol });
    await http.register(oktaHookRoutes, {
      otpClient,
      authHeader: config.okta.authHeader,
      authSecret: config.okta.authSecret,
      budgetMs: config.okta.hookBudgetMs,
      providerName: carrier?.name ?? "otp-gateway",
      ...(config.defaultPhoneRegion ? { defaultRegion: config.defaultPhoneRegion } : {}),
      ...(deps.now ? { now: deps.now } : {}),
    });
  }

  if (carrier?.name === sandboxProvider && "messages" in carrier) {
    const sandbox = carrier as SandboxCarrier;
    http.get("/sandbox/messages", async () => ({
      note: "sandbox carrier: nothing here was delivered to any phone",
      messages: sandbox.messages(),
    }));
  }

  return {
    http,
    ...(routes
      ? { grpcHandler: connectNodeAdapter({ routes, interceptors: serverInterceptors, readMaxBytes: rpcReadMaxBytes }) }
      : {}),
    ...(carrier ? { carrier } : {}),
    readiness,
  };
}

function createCarrier(config: Config, now?: () => number): Carrier {
  return config.carrier.mode === "8x8" ? createEightByEightCarrier(config.carrier, now) : createSandboxCarrier(now ? { now } : {});
}
