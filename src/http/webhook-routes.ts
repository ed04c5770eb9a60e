import type { FastifyError, FastifyPluginAsync } from "fastify";
import type { ReceiptIntake, WebhookRoute } from "../delivery/intake.js";
import type { GatewayMetrics } from "../observability/metrics.js";
import { createWebhookGuard, type WebhookGuardOptions } from "./webhook-guard.js";

export interface WebhookRoutesOptions extends WebhookGuardOptions {
  readonly intake: ReceiptIntake;
  readonly metrics: Pick<GatewayMetrics, "webhookRequests">;
}

// A receipt is a kilobyte or two; 8x8 documents nothing near this.
const bodyLimit = 64 * 1024;
const routes: Record<string, WebhookRoute> = { "/webhooks/8x8/sms": "sms", "/webhooks/8x8/voice": "voice" };

/**
 * `POST /webhooks/8x8/sms` (delivery receipts) and `/webhooks/8x8/voice` (session summaries).
 * The caller is checked before the body is read; every body gets an answer below 500, but for
 * 503 when the store could not take the receipt, so that 8x8 sends it again.
 */
export const webhookRoutes: FastifyPluginAsync<WebhookRoutesOptions> = async (app, opts) => {
  const guard = createWebhookGuard(opts);
  const count = (route: WebhookRoute | undefined, outcome: string) =>
    route && opts.metrics.webhookRequests.inc({ route, outcome });
  // Whatever the content type says, the body is read as text and then as JSON, here: 8x8's
  // content type is not promised, and a parse error must be our 400, not a 415.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "string", bodyLimit }, (_req, body, done) => done(null, body));
  app.addHook("onRequest", (req, reply, done) => {
    const verdict = guard(req.ip, req.headers.authorization);
    if (verdict === "ok") return done();
    count(routes[req.routeOptions.url ?? ""], verdict);
    req.log.warn({ route: req.routeOptions.url, address: req.ip, verdict }, "8x8 webhook refused");
    reply.code(verdict === "forbidden" ? 403 : 401).send({ error: verdict });
  });
  app.setErrorHandler((err: FastifyError, req, reply) => {
    const status = err.statusCode === 413 ? 413 : 400;
    count(routes[req.routeOptions.url ?? ""], status === 413 ? "too_large" : "bad_request");
    reply.code(status).send({ error: status === 413 ? "body too large" : "bad request" });
  });
  for (const [url, route] of Object.entries(routes)) {
    app.post(url, { bodyLimit }, async (req, reply) => {
      let body: unknown;
      try {
        body = JSON.parse(typeof req.body === "string" ? req.body : "");
      } catch {
        count(route, "bad_request");
        return reply.code(400).send({ error: "body is not JSON" });
      }
      const answer = await opts.intake(route, body, req.otelContext ?? undefined);
      return reply
        .code(answer.status)
        .send(answer.status === 200 ? { ok: true, outcome: answer.outcome } : { error: answer.outcome });
    });
  }
};
