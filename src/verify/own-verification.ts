import type { HandlerContext } from "@connectrpc/connect";
import { callerKey } from "../otp/caller.js";
import { invalidArgument } from "../otp/errors.js";
import { keysOf, notFound, storeCall, type VerifyDeps } from "./deps.js";
import type { VerificationRecord } from "./verification.js";

/** The caller's own verification named by a request, or NOT_FOUND (another caller's too). */
export async function ownVerification(deps: VerifyDeps, id: string, ctx: HandlerContext): Promise<VerificationRecord> {
  keysOf(deps);
  if (id === "" || id.length > 128) {
    throw invalidArgument([
      {
        field: "verification_id",
        description: "is required",
        reason: "missing",
        message: "verification_id is required",
      },
    ]);
  }
  const record = await storeCall(() => deps.store.get(id));
  if (!record || record.caller !== ctx.values.get(callerKey)) throw notFound();
  return record;
}
