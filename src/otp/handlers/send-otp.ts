import type { HandlerContext } from "@connectrpc/connect";
import type { SendOtpRequest, SendOtpResponse } from "../../../gen/otp/v1/otp_pb.js";
import { callAsync } from "../../async-call.js";
import { CarrierError } from "../../carrier/index.js";
import { callerKey } from "../caller.js";
import { connectErrorFromCarrier } from "../errors.js";
import type { Send } from "../send/send.js";
import { type ValidationRules, validateSend } from "../validation.js";

/** `SendOtp`: check the request once, then run it through the send steps. */
export function createSendOtpHandler(send: Send, rules: ValidationRules, now: () => number) {
  // Not async: an async frame would stay alive through the carrier's answer on every send.
  const sendValid = (req: SendOtpRequest, ctx: HandlerContext) =>
    send(validateSend(req, rules, now()), { caller: ctx.values.get(callerKey), ctx });
  return function sendOtp(req: SendOtpRequest, ctx: HandlerContext): Promise<SendOtpResponse> {
    return callAsync(sendValid, req, ctx).catch(asRpcError);
  };
}

function asRpcError(err: unknown): never {
  throw err instanceof CarrierError ? connectErrorFromCarrier(err) : err;
}
