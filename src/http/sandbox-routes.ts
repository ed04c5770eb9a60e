import type { FastifyPluginAsync } from "fastify";
import type { RecordedSend } from "../carrier/index.js";

export interface SandboxRoutesOptions {
  readonly recordedSends: () => readonly RecordedSend[];
  /** Forgets send limits and idempotency keys; undefined when they live in Redis. */
  readonly forgetMemory?: () => void;
}

/**
 * `GET /sandbox/messages`: what a carrier that delivers nothing accepted, newest first.
 * `POST /sandbox/reset`: forget send limits and idempotency keys, so examples can be run again.
 */
export const sandboxRoutes: FastifyPluginAsync<SandboxRoutesOptions> = async (app, opts) => {
  app.get("/sandbox/messages", async () => ({
    note: "sandbox carrier: nothing here was delivered to any phone",
    messages: opts.recordedSends(),
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
