import { type Context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import {
  ATTR_CLIENT_ADDRESS,
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_NETWORK_PROTOCOL_VERSION,
  ATTR_URL_PATH,
  ATTR_URL_SCHEME,
  ATTR_USER_AGENT_ORIGINAL,
} from "@opentelemetry/semantic-conventions";
import type { FastifyInstance } from "fastify";

/**
 * The SERVER span of each HTTP/1.1 request ("POST /okta/telephony"), made from Fastify's hooks.
 * Its context is `req.otelContext`, which the routes hand on (to the RPC, the receipt intake),
 * so the RPC and the 8x8 call nest under it; a recorded request's log lines carry its trace id.
 *
 * `@opentelemetry/instrumentation-http` did this before; it computed some twenty attributes per
 * request, patched every socket and response, and was the largest single cost of tracing in
 * the benchmark (bench/README.md). We know the route up front and set what an SRE filters on.
 * A `traceparent` from the caller is continued, as the instrumentation did.
 */
export function traceHttpRequests(app: FastifyInstance, options: { readonly quietRoutes: ReadonlySet<string> }): void {
  const tracer = trace.getTracer("otp-gateway/http");
  // The headers the configured propagators read (traceparent, tracestate, baggage by default):
  // a request with none of them, as Okta's are, has nothing to extract.
  const fields = propagation.fields().map((f) => f.toLowerCase());
  const carriesTrace = (headers: Record<string, unknown>) => fields.some((f) => headers[f] !== undefined);
  app.decorateRequest("otelContext", null);
  app.addHook("onRequest", (req, reply, done) => {
    const route = req.routeOptions.url;
    if (route !== undefined && options.quietRoutes.has(route)) return done();
    const parent = carriesTrace(req.headers) ? propagation.extract(ROOT_CONTEXT, req.headers) : ROOT_CONTEXT;
    const name = route !== undefined ? `${req.method} ${route}` : req.method;
    const span = tracer.startSpan(name, { kind: SpanKind.SERVER }, parent);
    // Kept even when not sampled: the children then know not to record either.
    req.otelContext = trace.setSpan(parent, span);
    // The attributes only for a recorded span (the sampler decides without them).
    if (!span.isRecording()) return done();
    span.setAttributes({
      [ATTR_HTTP_REQUEST_METHOD]: req.method,
      [ATTR_HTTP_ROUTE]: route,
      [ATTR_URL_PATH]: req.url.split("?", 1)[0],
      [ATTR_URL_SCHEME]: req.protocol,
      [ATTR_NETWORK_PROTOCOL_VERSION]: req.raw.httpVersion,
      [ATTR_CLIENT_ADDRESS]: req.ip,
      [ATTR_USER_AGENT_ORIGINAL]: req.headers["user-agent"] || undefined,
    });
    // A child logger only for recorded requests (at most TRACES_PER_SECOND by default).
    const { traceId, spanId } = span.spanContext();
    req.log = req.log.child({ trace_id: traceId, span_id: spanId });
    // "close" comes after the last byte is written and also when the client goes away first.
    reply.raw.once("close", () => {
      const status = reply.raw.statusCode;
      span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
      if (!reply.raw.writableFinished) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: "connection closed before the answer was sent" });
      } else if (status >= 500) {
        span.setStatus({ code: SpanStatusCode.ERROR }).setAttribute(ATTR_ERROR_TYPE, String(status));
      }
      span.end();
    });
    done();
  });
}

declare module "fastify" {
  interface FastifyRequest {
    /** The context of this request's span; null for quiet routes. */
    otelContext: Context | null;
  }
}
