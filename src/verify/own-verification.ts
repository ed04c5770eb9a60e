import type { HandlerContext } from "@connectrpc/connect";
import { callerKey } from "../otp/caller.js";
import { invalidArgument, type Violation } from "../otp/errors.js";
import { keysOf, notFound, storeCall, type VerifyDeps } from "./deps.js";
import type { VerificationRecord } from "./verification.js";

/** The violation of a missing (or overlong) verification_id, or undefined when it is one. */
export function verificationIdViolation(id: string): Violation | undefined {
  if (id !== "" && id.length <= 128) return undefined;
  return {
    field: "verification_id",
    description: "is required",
    reason: "missing",
    message: "verification_id is required",
  };
}

/** The caller's own verification named by a request, or NOT_FOUND (another caller's too). */
export async function ownVerification(deps: VerifyDeps, id: string, ctx: HandlerContext): Promise<VerificationRecord> {
  keysOf(deps);
  const violation = verificationIdViolation(id);
  if (violation) throw invalidArgument([violation]);
  const record = await storeCall(() => deps.store.get(id));
  if (!record || record.caller !== ctx.values.get(callerKey)) throw notFound();
  return record;
}
