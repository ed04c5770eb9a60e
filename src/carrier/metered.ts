import { type Carrier, CarrierError } from "./carrier.js";

/** Told of every carrier call: its channel, `accepted` or the failure kind, and its seconds. */
export type CarrierObserver = (channel: "sms" | "voice", outcome: string, seconds: number) => void;

/**
 * Times every call to the carrier itself. Placed under the retries, so each attempt is one
 * observation: the carrier's own latency, not the send's.
 */
export function withMetering(inner: Carrier, observe: CarrierObserver): Carrier {
  async function timed<T>(channel: "sms" | "voice", call: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      const result = await call();
      observe(channel, "accepted", (performance.now() - started) / 1000);
      return result;
    } catch (err) {
      const outcome = err instanceof CarrierError ? err.failure : "error";
      observe(channel, outcome, (performance.now() - started) / 1000);
      throw err;
    }
  }
  return {
    name: inner.name,
    voiceEnabled: inner.voiceEnabled,
    sendSms: (message, options) => timed("sms", () => inner.sendSms(message, options)),
    placeVoiceCall: (call, options) => timed("voice", () => inner.placeVoiceCall(call, options)),
    health: inner.health ? () => inner.health!() : undefined,
    speaks: inner.speaks ? (language) => inner.speaks!(language) : undefined,
    voices: inner.voices ? () => inner.voices!() : undefined,
    close: () => inner.close(),
  };
}
