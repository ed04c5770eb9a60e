import { create } from "@bufbuild/protobuf";
import type { HandlerContext } from "@connectrpc/connect";
import {
  type CancelVerificationRequest,
  type CancelVerificationResponse,
  CancelVerificationResponseSchema,
} from "../../../gen/otp/v1/verify_pb.js";
import { storeCall, type VerifyDeps } from "../deps.js";
import { statuses } from "../messages.js";
import { ownVerification } from "../own-verification.js";
import { stateAt } from "../verification.js";

/** `CancelVerification`: a pending verification takes no code any more. */
export function createCancel(deps: VerifyDeps) {
  return async function cancelVerification(
    req: CancelVerificationRequest,
    ctx: HandlerContext,
  ): Promise<CancelVerificationResponse> {
    const record = await ownVerification(deps, req.verificationId, ctx);
    const at = deps.now();
    const after = await storeCall(() =>
      deps.store.update(record.id, (r) => (stateAt(r, at) === "pending" ? { ...r, state: "canceled" } : undefined)),
    );
    const state = after ? stateAt(after, at) : "canceled";
    if (after?.state === "canceled" && record.state === "pending") {
      deps.metrics?.verifications.inc({ channel: after.channels.at(-1) ?? "sms", result: "canceled" });
      deps.logger.info({ verificationId: record.id, to: record.maskedPhone }, "verification canceled");
    }
    return create(CancelVerificationResponseSchema, { status: statuses[state] });
  };
}
