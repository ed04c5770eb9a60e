/**
 * Runs `work` once the answer being built in this turn of the event loop has been written.
 *
 * A send's answer leaves in the same turn as the carrier's reply (Fastify and Connect write it
 * from promise callbacks), and `setImmediate` runs after that turn. Work nobody waits for (the
 * success log line, the idempotency record) goes here so it does not add to the caller's
 * latency; a `throw` or rejection in `work` is the caller's to handle, as for any callback.
 */
export function afterAnswer(work: () => void): void {
  setImmediate(work);
}
