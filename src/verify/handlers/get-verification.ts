import { create } from "@bufbuild/protobuf";
import type { HandlerContext } from "@connectrpc/connect";
import {
  type GetVerificationRequest,
  type GetVerificationResponse,
  GetVerificationResponseSchema,
} from "../../../gen/otp/v1/verify_pb.js";
import type { VerifyDeps } from "../deps.js";
import { verificationMessage } from "../messages.js";
import { ownVerification } from "../own-verification.js";

/** `GetVerification`: where it stands, never its code. */
export function createGet(deps: VerifyDeps) {
  return async function getVerification(
    req: GetVerificationRequest,
    ctx: HandlerContext,
  ): Promise<GetVerificationResponse> {
    const record = await ownVerification(deps, req.verificationId, ctx);
    return create(GetVerificationResponseSchema, { verification: verificationMessage(record, deps.now()) });
  };
}
