import { callAsync } from "../async-call.js";
import { type Carrier, CarrierError, type CarrierFailure, type SendOptions, sendsOf } from "./carrier.js";

export interface CircuitBreakerOptions {
  /** Consecutive carrier failures that open the circuit. */
  readonly failureThreshold: number;
  /** How long an open circuit fails fast before one trial send is let through. */
  readonly cooldownMs: number;
  readonly now?: () => number;
  readonly onStateChange?: (channel: string, state: CircuitState, consecutiveFailures: number) => void;
}

export type CircuitState = "closed" | "open" | "half_open";

export interface CircuitHealth {
  readonly state: CircuitState;
  readonly consecutiveFailures: number;
  /** While open: when the next trial send is allowed (ISO time). */
  readonly retryAt?: string;
}

// Failures that say the carrier is unwell. Refusals (bad number, rejected text) and rate
// limits come from a carrier that is working, so they do not count.
const unhealthy = new Set<CarrierFailure>(["unavailable", "timeout", "unknown"]);

/**
 * Fails fast while 8x8 keeps failing, so Okta falls back at once instead of waiting out its
 * budget on every sign-in; after the cool-down one trial send decides whether to close again.
 * SMS and voice are separate circuits (separate 8x8 hosts).
 */
export function withCircuitBreaker(
  inner: Carrier,
  options: CircuitBreakerOptions,
): Carrier & { health(): Record<string, CircuitHealth> } {
  const now = options.now ?? Date.now;
  const circuits = { sms: newCircuit(), voice: newCircuit() };

  function newCircuit() {
    return { state: "closed" as CircuitState, failures: 0, openedAt: 0, trialInFlight: false };
  }

  function setState(channel: keyof typeof circuits, state: CircuitState) {
    const c = circuits[channel];
    if (c.state === state) return;
    c.state = state;
    options.onStateChange?.(channel, state, c.failures);
  }

  // Not async: the outcome is attached to the carrier's promise instead of a frame that would
  // wait for it on every send.
  function guarded<M, T>(
    channel: keyof typeof circuits,
    send: (message: M, options: SendOptions) => Promise<T>,
    message: M,
    sendOptions: SendOptions,
  ): Promise<T> {
    const c = circuits[channel];
    let trial = false;
    if (c.state !== "closed") {
      const coolingDown = now() - c.openedAt < options.cooldownMs;
      if (coolingDown || c.trialInFlight) {
        const message = `carrier ${channel} circuit is open after repeated failures; not called`;
        return Promise.reject(new CarrierError("unavailable", message, { provider: inner.name, notSent: true }));
      }
      setState(channel, "half_open");
      c.trialInFlight = true;
      trial = true;
    }
    return callAsync(send, message, sendOptions).then(
      (result) => {
        if (trial) c.trialInFlight = false;
        c.failures = 0;
        setState(channel, "closed");
        return result;
      },
      (err: unknown) => {
        if (trial) c.trialInFlight = false;
        failed(channel, err, trial, sendOptions);
        throw err;
      },
    );
  }

  function failed(channel: keyof typeof circuits, err: unknown, trial: boolean, sendOptions: SendOptions): void {
    const c = circuits[channel];
    // A caller that gave up says nothing about the carrier.
    const counts = err instanceof CarrierError && unhealthy.has(err.failure) && !sendOptions.signal?.aborted;
    if (counts) {
      c.failures += 1;
      if (trial || c.failures >= options.failureThreshold) {
        c.openedAt = now();
        setState(channel, "open");
      }
    } else if (err instanceof CarrierError && !unhealthy.has(err.failure)) {
      c.failures = 0;
      setState(channel, "closed");
    }
  }

  const { sendSms, placeVoiceCall } = sendsOf(inner);

  function health(channel: keyof typeof circuits): CircuitHealth {
    const c = circuits[channel];
    return {
      state: c.state,
      consecutiveFailures: c.failures,
      retryAt: c.state === "open" ? new Date(c.openedAt + options.cooldownMs).toISOString() : undefined,
    };
  }

  return {
    name: inner.name,
    voiceEnabled: inner.voiceEnabled,
    sendSms: (message, o) => guarded("sms", sendSms, message, o),
    placeVoiceCall: (call, o) => guarded("voice", placeVoiceCall, call, o),
    health: () => ({ sms: health("sms"), voice: health("voice") }),
    speaks: inner.speaks ? (language) => inner.speaks!(language) : undefined,
    voices: inner.voices ? () => inner.voices!() : undefined,
    close: () => inner.close(),
  };
}
