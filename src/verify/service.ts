import type { ServiceImpl } from "@connectrpc/connect";
import type { VerifyService } from "../../gen/otp/v1/verify_pb.js";
import type { VerifyDeps } from "./deps.js";
import { createCancel } from "./handlers/cancel-verification.js";
import { createCheck } from "./handlers/check-verification.js";
import { createGet } from "./handlers/get-verification.js";
import { createStart } from "./handlers/start-verification.js";

export type { VerifyDeps } from "./deps.js";

/** The VerifyService handlers, one file each under handlers/, over the OtpService send pipeline. */
export function createVerifyService(deps: VerifyDeps): ServiceImpl<typeof VerifyService> {
  return {
    startVerification: createStart(deps),
    checkVerification: createCheck(deps),
    cancelVerification: createCancel(deps),
    getVerification: createGet(deps),
  };
}
