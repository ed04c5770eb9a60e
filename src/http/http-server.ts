import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance, LogController } from "fastify";
import type { Logger } from "pino";
import { traceHttpRequests } from "../observability/http-tracing.js";
import type { Readiness } from "./readiness.js";

export interface HttpServerOptions {
  readonly logger: Logger;
  readonly readiness: Readiness;
  /** Make a SERVER span per request (telemetry is on). */
  readonly tracing: boolean;
  /** Connections at once; more are closed as they arrive (see MAX_CONNECTIONS). */
  readonly maxConnections: number;
  /** Headers and body must be in by then (REQUEST_TIMEOUT_MS). */
  readonly requestTimeoutMs: number;
  /** Whose X-Forwarded-For `request.ip` believes (TRUST_PROXY); false: the socket's address. */
  readonly trustProxy?: boolean | number | string[];
}

// Probes and scrapes would be most of the traces and tell nothing about sends.
const quietRoutes = new Set(["/healthz", "/readyz", "/metrics"]);

/** The HTTP/1.1 listener's Fastify instance, with the limits and behaviour every route shares. */
export function createHttpServer(options: HttpServerOptions): FastifyInstance {
  const { logger, readiness } = options;
  const http = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    bodyLimit: 64 * 1024,
    // A hop count is taken at run time (proxy-addr) though Fastify's types do not list it.
    trustProxy: (options.trustProxy ?? false) as boolean | string[],
    requestTimeout: options.requestTimeoutMs,
    // Below Fastify's 72 s, above the 60 s idle timeout load balancers commonly keep: theirs
    // must end first, or they may send a request down a socket the gateway is closing.
    keepAliveTimeout: 61_000,
    // A client gets a fresh connection now and then, so load spreads again across replicas.
    maxRequestsPerSocket: 1_000,
    // Node checks request and header timeouts on this sweep (30 s by default): a slow client
    // is then cut within a second of its deadline rather than up to 30 s late.
    http: { connectionsCheckingInterval: 1_000 },
    return503OnClosing: true,
    forceCloseConnections: "idle",
    // Fastify's two lines per request cost more than the rest of a send's logging; the hook and
    // the service each write one line with what matters, and the access line is debug only.
    logController: new LogController({ disableRequestLogging: true }),
    // No child logger per request: building one cost more than the line a send writes. Lines
    // that need the request say which one themselves (reqId, eventId, deliveryId, trace_id).
    childLoggerFactory: (parent) => parent,
  });
  if (options.tracing) traceHttpRequests(http, { quietRoutes });
  if (logger.isLevelEnabled("debug")) {
    http.addHook("onResponse", async (req, reply) => {
      const responseTimeMs = Math.round(reply.elapsedTime);
      const { id: reqId, method, url } = req;
      req.log.debug({ reqId, method, url, statusCode: reply.statusCode, responseTimeMs }, "request completed");
    });
  }
  // Slow-header clients are cut well before Node's 60 s default.
  http.server.headersTimeout = Math.min(5_000, options.requestTimeoutMs);
  http.server.maxConnections = options.maxConnections;

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
  return http;
}
