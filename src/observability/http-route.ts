import { context } from "@opentelemetry/api";
import { getRPCMetadata, RPCType } from "@opentelemetry/core";
import type { FastifyInstance } from "fastify";

/**
 * Gives the HTTP server span its route, so it is named "POST /okta/telephony" and carries
 * `http.route`. The HTTP instrumentation leaves a slot for the route in the request's context
 * and reads it when the response finishes; a framework fills it in.
 *
 * This is the one thing we used `@fastify/otel` for. That package also makes a second span per
 * request, nested in the HTTP span with the same name and timing, which cost about a quarter of
 * tracing's throughput overhead (bench/run.ts) and told an SRE nothing new.
 */
export function nameHttpSpansByRoute(app: FastifyInstance): void {
  app.addHook("onRequest", (req, _reply, done) => {
    const route = req.routeOptions.url;
    if (route !== undefined) {
      const metadata = getRPCMetadata(context.active());
      if (metadata?.type === RPCType.HTTP) metadata.route = route;
    }
    done();
  });
}
