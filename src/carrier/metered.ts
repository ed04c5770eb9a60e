import { callAsync } from "../async-call.js";
import { type Carrier, CarrierError, sendsOf } from "./carrier.js";

/** Told of every carrier call: its channel, `accepted` or the failure kind, and its seconds. */
export type CarrierObserver = (channel: "sms" | "voice", outcome: string, seconds: number) => void;

/**
 * Times every call to the carrier itself. Placed under the retries, so each attempt is one
 * observation: the carrier's own latency, not the send's.
 */
export function withMetering(inner: Carrier, observe: CarrierObserver): Carrier {
  // Not async: the observation is attached to the carrier's promise instead of a frame that
  // would wait for it on every send.
  function timed<T>(channel: "sms" | "voice", started: number, sending: Promise<T>): Promise<T> {
    return sending.then(
      (result) => {
        observe(channel, "accepted", (performance.now() - started) / 1000);
        return result;
      },
      (err: unknown) => {
        observe(channel, err instanceof CarrierError ? err.failure : "error", (performance.now() - started) / 1000);
        throw err;
      },
    );
  }
  const { sendSms, placeVoiceCall } = sendsOf(inner);
  return {
    name: inner.name,
    voiceEnabled: inner.voiceEnabled,
    sendSms: (message, options) => timed("sms", performance.now(), callAsync(sendSms, message, options)),
    placeVoiceCall: (call, options) => timed("voice", performance.now(), callAsync(placeVoiceCall, call, options)),
    health: inner.health ? () => inner.health!() : undefined,
    speaks: inner.speaks ? (language) => inner.speaks!(language) : undefined,
    voices: inner.voices ? () => inner.voices!() : undefined,
    close: () => inner.close(),
  };
}
