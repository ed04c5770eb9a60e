import type { FastifyPluginAsync } from "fastify";
import { createSecretMatcher } from "../auth/secrets.js";
import { oktaScope } from "../delivery/record.js";
import type { DeliveryTracker } from "../delivery/tracker.js";
import type { GatewayMetrics } from "../observability/metrics.js";
import { phoneVerifications } from "./event-hook-events.js";

export interface EventHookRoutesOptions {
  readonly header: string;
  readonly secret: string;
  readonly deliveries: DeliveryTracker;
  /** A verification counts for a send made at most this long before it. */
  readonly windowMs: number;
  readonly metrics: Pick<GatewayMetrics, "webhookRequests">;
  readonly now: () => number;
}

// Okta batches events; a body of a few hundred events fits well inside this.
const bodyLimit = 256 * 1024;
// Okta's clock and ours may differ a little: a verification stamped just before its send still counts.
const skewMs = 60_000;

/**
 * `GET /okta/events` answers Okta's one-time verification; `POST /okta/events` takes its event
 * hook, answers at once (Okta allows 3 s and retries once) and then matches each successful
 * phone verification to the person's latest send of the hook: that send is converted.
 */
export const eventHookRoutes: FastifyPluginAsync<EventHookRoutesOptions> = async (app, opts) => {
  const matches = createSecretMatcher(opts.secret);
  const count = (outcome: string) => opts.metrics.webhookRequests.inc({ route: "okta_events", outcome });
  app.addHook("onRequest", (req, reply, done) => {
    if (matches(req.headers[opts.header])) return done();
    count("unauthorized");
    reply.code(401).send({ error: "unauthorized" });
  });
  app.get("/okta/events", async (req, reply) => {
    const challenge = req.headers["x-okta-verification-challenge"];
    if (typeof challenge !== "string" || challenge === "") return reply.code(400).send({ error: "no challenge" });
    count("verification");
    return { verification: challenge };
  });
  app.post("/okta/events", { bodyLimit }, async (req, reply) => {
    const found = phoneVerifications(req.body, opts.now());
    if (!found) {
      count("bad_request");
      return reply.code(400).send({ error: "not an Okta event hook body" });
    }
    count(found.length > 0 ? "phone_verifications" : "ignored");
    // After the answer: Okta waits for nothing it does not need.
    setImmediate(() => {
      for (const verification of found) {
        void convert(opts, verification).catch((err: unknown) =>
          req.log.warn({ err, eventId: verification.eventId }, "okta event could not be matched to a send"),
        );
      }
    });
    return reply.code(200).send();
  });
};

async function convert(opts: EventHookRoutesOptions, v: { userId: string; at: number }): Promise<void> {
  const id = await opts.deliveries.find({ kind: "user", scope: oktaScope, userId: v.userId });
  const record = id === undefined ? undefined : await opts.deliveries.get(id);
  if (!record) return;
  const age = v.at - record.acceptedAt;
  if (age < -skewMs || age > opts.windowMs) return;
  await opts.deliveries.conclude(record.deliveryId, "converted");
}
