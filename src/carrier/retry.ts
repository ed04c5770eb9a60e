import { setTimeout as sleep } from "node:timers/promises";
import { callAsync } from "../async-call.js";
import { type Carrier, CarrierError, type SendOptions, sendsOf } from "./carrier.js";

export interface RetryPolicy {
  /** Extra attempts after the first; each only where the carrier provably took nothing. */
  readonly maxRetries: number;
  /** A retry is skipped unless at least this much of the deadline is left for it. */
  readonly minAttemptMs: number;
  /** Pause before retrying a send that never reached the carrier (refused, reset, LB 503). */
  readonly backoffMs: number;
  readonly now?: () => number;
  readonly onRetry?: (info: { channel: "sms" | "voice"; failure: string; waitMs: number; attempt: number }) => void;
}

export const defaultRetryPolicy: RetryPolicy = { maxRetries: 1, minAttemptMs: 250, backoffMs: 50 };

/**
 * Retries a send only when the carrier provably did not accept it (`notSent`): connection
 * refused, reset before any answer, a load balancer's 503, or a 429 whose Retry-After still
 * fits the deadline. Anything that may have gone out is never retried: no idempotency key
 * exists at 8x8, so a retry could deliver the code twice.
 */
export function withRetries(inner: Carrier, policy: RetryPolicy = defaultRetryPolicy): Carrier {
  const now = policy.now ?? Date.now;

  // The first attempt is not awaited here: only a failure starts the retry loop, so a send
  // that goes through keeps no frame of this layer alive while 8x8 answers.
  function attempt<M, T>(
    channel: "sms" | "voice",
    send: (message: M, options: SendOptions) => Promise<T>,
    message: M,
    options: SendOptions,
  ): Promise<T> {
    const deadline = now() + options.timeoutMs;
    return callAsync(send, message, options).catch((err: unknown) =>
      retried(err, { channel, send, message, options, deadline }),
    );
  }

  async function retried<M, T>(first: unknown, failed: FailedSend<M, T>): Promise<T> {
    const { channel, send, message, options, deadline } = failed;
    let err = first;
    for (let attempt = 1; ; attempt++) {
      const waitMs = retryWait(err, policy);
      if (waitMs === undefined || attempt > policy.maxRetries || options.signal?.aborted) throw err;
      if (deadline - now() - waitMs < policy.minAttemptMs) throw err;
      policy.onRetry?.({ channel, failure: (err as CarrierError).failure, waitMs, attempt });
      if (waitMs > 0) {
        const last = err;
        await sleep(waitMs, undefined, options.signal ? { signal: options.signal } : {}).catch(() => {
          throw last;
        });
      }
      try {
        return await send(message, { ...options, timeoutMs: Math.max(1, deadline - now()) });
      } catch (next) {
        err = next;
      }
    }
  }

  const { sendSms, placeVoiceCall } = sendsOf(inner);

  return {
    name: inner.name,
    voiceEnabled: inner.voiceEnabled,
    sendSms: (message, options) => attempt("sms", sendSms, message, options),
    placeVoiceCall: (call, options) => attempt("voice", placeVoiceCall, call, options),
    health: inner.health ? () => inner.health!() : undefined,
    speaks: inner.speaks ? (language) => inner.speaks!(language) : undefined,
    voices: inner.voices ? () => inner.voices!() : undefined,
    close: () => inner.close(),
  };
}

interface FailedSend<M, T> {
  readonly channel: "sms" | "voice";
  readonly send: (message: M, options: SendOptions) => Promise<T>;
  readonly message: M;
  readonly options: SendOptions;
  readonly deadline: number;
}

function retryWait(err: unknown, policy: RetryPolicy): number | undefined {
  if (!(err instanceof CarrierError) || !err.notSent) return undefined;
  if (err.failure === "unavailable") return policy.backoffMs;
  if (err.failure === "rate_limited") return err.retryAfterMs;
  return undefined;
}
