import { durationMs } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, type HandlerContext } from "@connectrpc/connect";
import { Channel, RateLimitDetailSchema } from "../../../gen/otp/v1/otp_pb.js";
import type { StartVerificationRequest, StartVerificationResponse } from "../../../gen/otp/v1/verify_pb.js";
import { callerKey } from "../../otp/caller.js";
import { invalidArgument, type Violation } from "../../otp/errors.js";
import { idempotencyKeyPattern } from "../../otp/request-rules.js";
import { type ValidSend, validateSend } from "../../otp/validation.js";
import { codeHash, indexKey, newCode, seal, unseal } from "../codes.js";
import { keysOf, storeCall, type VerifyDeps } from "../deps.js";
import { channelName } from "../messages.js";
import { answer, sendAndRecord, sendRequest } from "../send-code.js";
import { reserveSend, stateAt, type VerificationRecord } from "../verification.js";

const defaultTtlMs = 5 * 60_000;
const maxTtlMs = 30 * 60_000;
// A verification is kept this long after its code expires, so a late check reads EXPIRED.
export const graceMs = 10 * 60_000;

/** What a start asks for, checked: the verification's settings and a probe of its destination. */
interface StartPlan {
  readonly codeLength: number;
  readonly ttlMs: number;
  readonly plan: Array<"sms" | "voice">;
  readonly probe: ValidSend;
}

/** `StartVerification`: a new code, or the same code again while one is pending. */
export function createStart(deps: VerifyDeps) {
  return async function startVerification(
    req: StartVerificationRequest,
    ctx: HandlerContext,
  ): Promise<StartVerificationResponse> {
    const keys = keysOf(deps);
    const caller = ctx.values.get(callerKey);
    const plan = readPlan(req, deps);
    const index = indexKey(keys, caller, plan.probe.phone.e164, req.purpose);
    // Two rounds: a start that finds another made the pending one meanwhile resends that one.
    for (let round = 0; round < 2; round++) {
      const pendingId = await storeCall(() => deps.store.find(index));
      const pending = pendingId === undefined ? undefined : await storeCall(() => deps.store.get(pendingId));
      if (pending && pending.caller === caller && stateAt(pending, deps.now()) === "pending") {
        if (opens(deps, pending)) return resend(deps, pending, req, ctx);
        // Sealed under another VERIFY_HASH_KEY (a rotated key, a sandbox restart): it can never
        // be resent or checked, so it is dropped and a new one begins.
        deps.logger.warn(
          { verificationId: pending.id },
          "pending verification sealed under another key; starting anew",
        );
        await storeCall(() => deps.store.remove(pending));
      }
      const record = newRecord(deps, caller, req, plan, index);
      const made = await storeCall(() => deps.store.create(record.record, record.record.expiresAt + graceMs));
      if (made.created) return firstSend(deps, record.record, record.code, req, ctx);
    }
    throw new ConnectError("the verification is being started by another request", Code.Aborted);
  };
}

function readPlan(req: StartVerificationRequest, deps: VerifyDeps): StartPlan {
  const violations: Violation[] = [];
  const bad = (field: string, description: string, reason = "invalid") =>
    violations.push({ field, description, reason, message: `${field} ${description}` });
  const codeLength = req.codeLength === 0 ? 6 : req.codeLength;
  if (codeLength < 4 || codeLength > 10) bad("code_length", "must be 4 to 10 digits");
  const ttlMs = req.ttl ? durationMs(req.ttl) : defaultTtlMs;
  if (!(ttlMs >= 30_000 && ttlMs <= maxTtlMs)) bad("ttl", "must be 30 seconds to 30 minutes");
  if (req.idempotencyKey !== "" && !idempotencyKeyPattern.test(req.idempotencyKey)) {
    bad("idempotency_key", "must be at most 128 characters of A-Z a-z 0-9 . _ : -");
  }
  const fallbacks = req.fallbackChannels;
  if (fallbacks.length > 3 || fallbacks.some((c) => c !== Channel.SMS && c !== Channel.VOICE)) {
    bad("fallback_channels", "must be at most 3 of CHANNEL_SMS and CHANNEL_VOICE");
  }
  if (violations.length > 0) throw invalidArgument(violations);
  // The destination and the other fields are read as SendOtp reads them.
  const probe = validateSend(sendRequest(req, "0".repeat(codeLength), req.channel, ""), deps.rules, deps.now());
  return { codeLength, ttlMs, plan: [probe.channelName, ...fallbacks.map(channelName)], probe };
}

function newRecord(deps: VerifyDeps, caller: string, req: StartVerificationRequest, plan: StartPlan, index: string) {
  const keys = keysOf(deps);
  const id = deps.newId();
  const code = newCode(plan.codeLength);
  const at = deps.now();
  const record: VerificationRecord = {
    id,
    caller,
    state: "pending",
    codeHash: codeHash(keys, id, code),
    sealed: seal(keys, id, { code, e164: plan.probe.phone.e164 }),
    indexKey: index,
    maskedPhone: plan.probe.phone.masked,
    region: plan.probe.phone.region ?? "",
    purpose: req.purpose,
    userId: req.userId,
    locale: req.locale,
    plan: plan.plan,
    channels: [],
    deliveryIds: [],
    sends: 1,
    lastSendAt: at,
    lastKey: req.idempotencyKey,
    attempts: 0,
    maxAttempts: deps.settings.maxAttempts,
    maxSends: deps.settings.maxSends,
    createdAt: at,
    expiresAt: at + plan.ttlMs,
  };
  return { record, code };
}

async function firstSend(
  deps: VerifyDeps,
  record: VerificationRecord,
  code: string,
  req: StartVerificationRequest,
  ctx: HandlerContext,
) {
  try {
    return await sendAndRecord(deps, record, code, { index: 0, idempotencyKey: req.idempotencyKey }, ctx, "started");
  } catch (err) {
    // Nothing went out for this verification: it is not kept, and a new start begins afresh.
    await deps.store.remove(record).catch(() => undefined);
    throw err;
  }
}

async function resend(
  deps: VerifyDeps,
  pending: VerificationRecord,
  req: StartVerificationRequest,
  ctx: HandlerContext,
) {
  // A repeat of the start that made the latest send gets its answer again, and nothing is sent.
  if (req.idempotencyKey !== "" && pending.lastKey === req.idempotencyKey) return answer(deps, pending);
  const at = deps.now();
  // Set by the change, which the store may run more than once: the last run is what was stored.
  let reservation = { ok: false, reason: "not_pending", state: "pending" } as ReturnType<typeof reserveSend>["result"];
  const reserved = await storeCall(() =>
    deps.store.update(pending.id, (current) => {
      const r = reserveSend(current, at, deps.settings.resendIntervalMs);
      reservation = r.result;
      return r.next;
    }),
  );
  if (!reservation.ok || !reserved) throw resendRefused(reservation);
  const { code } = unseal(keysOf(deps), pending.id, pending.sealed);
  const send = { index: reservation.index, idempotencyKey: req.idempotencyKey };
  try {
    return await sendAndRecord(deps, reserved, code, send, ctx, "resent");
  } catch (err) {
    // The send did not go out as far as we know: it does not count against the resends.
    const index = reservation.index;
    await deps.store
      .update(pending.id, (r) =>
        r.sends === index + 1 && r.lastSendAt === at
          ? { ...r, sends: index, lastSendAt: pending.lastSendAt }
          : undefined,
      )
      .catch(() => undefined);
    throw err;
  }
}

function resendRefused(reservation: ReturnType<typeof reserveSend>["result"]): ConnectError {
  if (reservation.ok || reservation.reason === "not_pending") {
    return new ConnectError("the verification ended meanwhile; start a new one", Code.Aborted);
  }
  const limit = reservation.reason === "interval" ? "verify_resend" : "verify_sends";
  const message =
    reservation.reason === "interval"
      ? "a code was sent moments ago; resend later"
      : "no more codes for this verification";
  return new ConnectError(message, Code.ResourceExhausted, undefined, [
    { desc: RateLimitDetailSchema, value: { limit, retryAfterMs: Math.max(1, Math.ceil(reservation.retryAfterMs)) } },
  ]);
}

/** Whether this gateway's key opens the verification's seal. */
function opens(deps: VerifyDeps, record: VerificationRecord): boolean {
  try {
    unseal(keysOf(deps), record.id, record.sealed);
    return true;
  } catch {
    return false;
  }
}
