import type { HandlerContext } from "@connectrpc/connect";
import type { SendOtpRequest, SendOtpResponse } from "../../../gen/otp/v1/otp_pb.js";
import { CarrierError } from "../../carrier/index.js";
import { callerKey } from "../caller.js";
import { connectErrorFromCarrier } from "../errors.js";
import type { Send } from "../send/send.js";
import { type ValidationRules, validateSend } from "../validation.js";

/** `SendOtp`: check the request once, then run it through the send steps. */
export function createSendOtpHandler(send: Send, rules: ValidationRules, now: () => number) {
  return async function sendOtp(req: SendOtpRequest, ctx: HandlerContext): Promise<SendOtpResponse> {
    const valid = validateSend(req, rules, now());
    try {
      return await send(valid, { caller: ctx.values.get(callerKey), ctx });
    } catch (err) {
      throw err instanceof CarrierError ? connectErrorFromCarrier(err) : err;
    }
  };
}
