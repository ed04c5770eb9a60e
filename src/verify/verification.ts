/** Where a verification stands. */
export type VerificationState = "pending" | "approved" | "failed" | "expired" | "canceled";

/**
 * One verification as stored. Plain data (JSON in Redis); it holds no code and no number in
 * the clear: `codeHash` is an HMAC, `sealed` is AES-GCM under a key Redis never sees.
 */
export interface VerificationRecord {
  readonly id: string;
  readonly caller: string;
  readonly state: VerificationState;
  readonly codeHash: string;
  readonly sealed: string;
  /** The index entry that finds this verification for a resend (an HMAC, not the number). */
  readonly indexKey: string;
  readonly maskedPhone: string;
  readonly region: string;
  readonly purpose: string;
  readonly userId: string;
  readonly locale: string;
  /** The channels sends go by, in order; the last one repeats. */
  readonly plan: ReadonlyArray<"sms" | "voice">;
  /** The channel each send went by. */
  readonly channels: ReadonlyArray<"sms" | "voice">;
  readonly deliveryIds: readonly string[];
  /** Sends counted (reserved before each goes out). */
  readonly sends: number;
  readonly lastSendAt: number;
  /** The idempotency key of the latest start, whose answer a repeat gets again. */
  readonly lastKey: string;
  readonly attempts: number;
  readonly maxAttempts: number;
  readonly maxSends: number;
  readonly createdAt: number;
  readonly expiresAt: number;
}

export type CheckResult =
  | { readonly outcome: "approved"; readonly attempts: number }
  | { readonly outcome: "wrong"; readonly attempts: number }
  | { readonly outcome: "failed"; readonly attempts: number }
  | { readonly outcome: "expired"; readonly attempts: number }
  /** It was no longer pending before this check: approved (a replay), failed, expired or canceled. */
  | { readonly outcome: "not_pending"; readonly state: VerificationState; readonly attempts: number };

/** The state a record is in at `now`: a pending one whose time is over is expired. */
export const stateAt = (r: VerificationRecord, now: number): VerificationState =>
  r.state === "pending" && now >= r.expiresAt ? "expired" : r.state;

/**
 * A check of one code, given whether it matched: the right code approves once; a wrong one uses
 * an attempt, the last attempt fails the verification for good. The Redis store runs the same
 * rule in one Lua script, so two replicas cannot both approve or lose a count.
 */
export function check(
  r: VerificationRecord,
  matches: boolean,
  now: number,
): { next?: VerificationRecord; result: CheckResult } {
  const state = stateAt(r, now);
  if (state === "expired" && r.state === "pending") {
    return { next: { ...r, state }, result: { outcome: "expired", attempts: r.attempts } };
  }
  if (state !== "pending") return { result: { outcome: "not_pending", state, attempts: r.attempts } };
  if (matches) return { next: { ...r, state: "approved" }, result: { outcome: "approved", attempts: r.attempts } };
  const attempts = r.attempts + 1;
  if (attempts >= r.maxAttempts) {
    return { next: { ...r, state: "failed", attempts }, result: { outcome: "failed", attempts } };
  }
  return { next: { ...r, attempts }, result: { outcome: "wrong", attempts } };
}

export type SendReservation =
  | { readonly ok: true; readonly index: number }
  | { readonly ok: false; readonly reason: "interval" | "max_sends"; readonly retryAfterMs: number }
  | { readonly ok: false; readonly reason: "not_pending"; readonly state: VerificationState };

/** Counts one more send if the interval since the last has passed and sends are left. */
export function reserveSend(
  r: VerificationRecord,
  now: number,
  intervalMs: number,
): { next?: VerificationRecord; result: SendReservation } {
  const state = stateAt(r, now);
  if (state !== "pending") return { result: { ok: false, reason: "not_pending", state } };
  if (r.sends >= r.maxSends) return { result: { ok: false, reason: "max_sends", retryAfterMs: r.expiresAt - now } };
  const wait = r.lastSendAt + intervalMs - now;
  if (wait > 0) return { result: { ok: false, reason: "interval", retryAfterMs: wait } };
  return { next: { ...r, sends: r.sends + 1, lastSendAt: now }, result: { ok: true, index: r.sends } };
}

/** The channel of the send with this index: the plan's, its last one repeating. */
export const channelFor = (r: VerificationRecord, index: number) => r.plan[Math.min(index, r.plan.length - 1)]!;
