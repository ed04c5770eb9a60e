import type { FastifyPluginAsync } from "fastify";
import type { Registry } from "prom-client";

/** `GET /metrics`: the Prometheus text exposition of the gateway's registry. */
export const metricsRoute: FastifyPluginAsync<{ readonly registry: Registry }> = async (app, { registry }) => {
  app.get("/metrics", async (_req, reply) => {
    reply.header("content-type", registry.contentType);
    return registry.metrics();
  });
};
