import type { FastifyPluginAsync } from "fastify";
import type { Registry } from "prom-client";
import { createSecretMatcher } from "../auth/secrets.js";

export interface MetricsRouteOptions {
  readonly registry: Registry;
  /** When set, scrapes must send `Authorization: Bearer <token>` (METRICS_TOKEN). */
  readonly token?: string;
  readonly now?: () => number;
}

// Rendering walks every metric; scrapes closer together than this share one rendering, so a
// client hammering /metrics costs one rendering a second, not one per request.
const renderEveryMs = 1_000;

/** `GET /metrics`: the Prometheus text exposition of the gateway's registry. */
export const metricsRoute: FastifyPluginAsync<MetricsRouteOptions> = async (app, opts) => {
  const { registry } = opts;
  const now = opts.now ?? Date.now;
  const matches = opts.token === undefined ? undefined : createSecretMatcher(`Bearer ${opts.token}`);
  let rendered: { readonly at: number; readonly text: Promise<string> } | undefined;
  app.get("/metrics", async (req, reply) => {
    if (matches && !matches(req.headers.authorization)) {
      return reply.code(401).header("www-authenticate", "Bearer").send({ error: "metrics need the METRICS_TOKEN" });
    }
    const at = now();
    if (rendered === undefined || at - rendered.at >= renderEveryMs) rendered = { at, text: registry.metrics() };
    reply.header("content-type", registry.contentType);
    return rendered.text;
  });
};
