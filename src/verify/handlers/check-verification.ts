import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, type HandlerContext } from "@connectrpc/connect";
import { RateLimitDetailSchema } from "../../../gen/otp/v1/otp_pb.js";
import {
  type CheckVerificationRequest,
  type CheckVerificationResponse,
  CheckVerificationResponseSchema,
  VerificationStatus,
  VerifyErrorDetailSchema,
} from "../../../gen/otp/v1/verify_pb.js";
import { spanOf } from "../../observability/trace-context.js";
import { callerKey } from "../../otp/caller.js";
import { invalidArgument, type Violation } from "../../otp/errors.js";
import { codeHash, sameHash } from "../codes.js";
import { keysOf, notFound, storeCall, type VerifyDeps } from "../deps.js";
import { statuses } from "../messages.js";
import { verificationIdViolation } from "../own-verification.js";
import { type CheckResult, check, type VerificationRecord } from "../verification.js";

/** `CheckVerification`: one code against the pending verification, atomically across replicas. */
export function createCheck(deps: VerifyDeps) {
  return async function checkVerification(
    req: CheckVerificationRequest,
    ctx: HandlerContext,
  ): Promise<CheckVerificationResponse> {
    const keys = keysOf(deps);
    const caller = ctx.values.get(callerKey);
    const code = req.code.replace(/[\s-]/g, "");
    refuseBadRequest(req.verificationId, code);
    await limitChecks(deps, caller);
    const record = await storeCall(() => deps.store.get(req.verificationId));
    if (!record || record.caller !== caller) throw notFound();
    spanOf(ctx.values)?.setAttributes({ "otp.verification_id": record.id, "otp.phone.masked": record.maskedPhone });
    // Hashed before the store is asked, and compared in constant time inside the change.
    const presented = codeHash(keys, record.id, code);
    const at = deps.now();
    let result: CheckResult = { outcome: "not_pending", state: record.state, attempts: record.attempts };
    const after = await storeCall(() =>
      deps.store.update(record.id, (current) => {
        const checked = check(current, sameHash(current.codeHash, presented), at);
        result = checked.result;
        return checked.next;
      }),
    );
    if (!after) throw notFound();
    return answer(deps, after, result);
  };
}

function refuseBadRequest(verificationId: string, code: string): void {
  const violations: Violation[] = [];
  const idViolation = verificationIdViolation(verificationId);
  if (idViolation) violations.push(idViolation);
  if (!/^[0-9]{1,20}$/.test(code)) {
    violations.push({
      field: "code",
      description: "must be the digits sent",
      reason: "invalid",
      message: "code must be the digits sent",
    });
  }
  if (violations.length > 0) throw invalidArgument(violations);
}

/** Checks a caller may make across all its verifications: guessing at scale is refused early. */
async function limitChecks(deps: VerifyDeps, caller: string): Promise<void> {
  const setting = deps.settings.checksPerCaller;
  if (!setting || !deps.rateLimits) return;
  const rule = { name: "verify_checks", key: `rl:verify_checks:${caller}`, ...setting, aggregate: true };
  const decision = await deps.rateLimits.hit([rule], deps.newId()).catch((err: unknown) => {
    deps.logger.warn({ err }, "verification check limit cannot be counted; checking anyway");
    return { allowed: true as const };
  });
  if (decision.allowed) return;
  deps.metrics?.verificationChecks.inc({ result: "rate_limited" });
  throw new ConnectError("too many verification checks; try again later", Code.ResourceExhausted, undefined, [
    { desc: RateLimitDetailSchema, value: { limit: "verify_checks", retryAfterMs: Math.ceil(decision.retryAfterMs) } },
  ]);
}

function answer(deps: VerifyDeps, after: VerificationRecord, result: CheckResult): CheckVerificationResponse {
  const remaining = Math.max(0, after.maxAttempts - result.attempts);
  const line = { verificationId: after.id, to: after.maskedPhone, attemptsRemaining: remaining };
  if (result.outcome === "not_pending" && result.state === "approved") {
    // A code is good once: a second check of an approved verification is a replay.
    deps.metrics?.verificationChecks.inc({ result: "replay" });
    deps.logger.warn(line, "verification check refused: approved already");
    throw new ConnectError(
      "the verification was approved already; a code is accepted once",
      Code.FailedPrecondition,
      undefined,
      [{ desc: VerifyErrorDetailSchema, value: { status: VerificationStatus.APPROVED } }],
    );
  }
  const outcome = result.outcome === "wrong" ? "wrong_code" : result.outcome;
  deps.metrics?.verificationChecks.inc({ result: outcome });
  const channel = after.channels.at(-1) ?? "sms";
  if (result.outcome === "approved" || result.outcome === "failed" || result.outcome === "expired") {
    deps.metrics?.verifications.inc({ channel, result: result.outcome });
  }
  // The verification's last send is the one its outcome is reported for.
  const deliveryId = after.deliveryIds.at(-1);
  if (deliveryId && result.outcome !== "wrong" && result.outcome !== "not_pending") {
    const conversion = result.outcome === "approved" ? "converted" : "not_converted";
    void deps.deliveries?.conclude(deliveryId, conversion).catch(() => undefined);
  }
  deps.logger.info({ ...line, outcome }, `verification check: ${outcome}`);
  const status =
    result.outcome === "approved"
      ? VerificationStatus.APPROVED
      : result.outcome === "wrong"
        ? VerificationStatus.PENDING
        : result.outcome === "not_pending"
          ? statuses[result.state]
          : statuses[result.outcome];
  return create(CheckVerificationResponseSchema, {
    status,
    attemptsRemaining: status === VerificationStatus.PENDING ? remaining : 0,
  });
}
