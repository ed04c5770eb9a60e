import type { FastifyPluginAsync } from "fastify";
import type { RecordedSend } from "../carrier/index.js";

/** `GET /sandbox/messages`: what a carrier that delivers nothing accepted, newest first. */
export const sandboxRoutes: FastifyPluginAsync<{ readonly recordedSends: () => readonly RecordedSend[] }> = async (
  app,
  opts,
) => {
  app.get("/sandbox/messages", async () => ({
    note: "sandbox carrier: nothing here was delivered to any phone",
    messages: opts.recordedSends(),
  }));
};
