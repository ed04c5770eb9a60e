import type { FastifyPluginAsync } from "fastify";
import type { RecordedSend } from "../carrier/index.js";
import type { DeliveryTracker } from "../delivery/tracker.js";

export interface SandboxRoutesOptions {
  readonly recordedSends: () => readonly RecordedSend[];
  /** Where each send's delivery status is read. */
  readonly deliveries: DeliveryTracker;
  /** Forgets send limits and idempotency keys; undefined when they live in Redis. */
  readonly forgetMemory?: () => void;
}

/**
 * `GET /sandbox/messages`: what a carrier that delivers nothing accepted, newest first.
 * `POST /sandbox/reset`: forget send limits and idempotency keys, so examples can be run again.
 */
export const sandboxRoutes: FastifyPluginAsync<SandboxRoutesOptions> = async (app, opts) => {
  app.get("/sandbox/messages", async () => ({
    note: "sandbox carrier: nothing here was delivered to any phone; status is what its made-up receipts say",
    messages: await Promise.all(opts.recordedSends().map((send) => withStatus(opts.deliveries, send))),
  }));
  app.post("/sandbox/reset", async (_req, reply) => {
    if (!opts.forgetMemory) {
      return reply
        .code(409)
        .send({ error: "send limits and idempotency keys live in Redis (OTP_STORE_URL); nothing reset" });
    }
    opts.forgetMemory();
    return { reset: ["send limits", "idempotency keys"] };
  });
};

/** A recorded send with the status of its delivery record, when there is one. */
async function withStatus(deliveries: DeliveryTracker, send: RecordedSend) {
  const id = await deliveries.find({ kind: "provider", providerMessageId: send.id }).catch(() => undefined);
  const record = id === undefined ? undefined : await deliveries.get(id).catch(() => undefined);
  return { ...send, deliveryId: record?.deliveryId, status: record?.state.toUpperCase() };
}
