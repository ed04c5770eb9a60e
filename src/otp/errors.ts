import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { CarrierErrorDetailSchema } from "../../gen/otp/v1/otp_pb.js";
import type { CarrierError, CarrierFailure } from "../carrier/carrier.js";

const codes: Record<CarrierFailure, Code> = {
  invalid_destination: Code.InvalidArgument,
  rejected: Code.FailedPrecondition,
  disabled: Code.FailedPrecondition,
  misconfigured: Code.Internal,
  rate_limited: Code.ResourceExhausted,
  unavailable: Code.Unavailable,
  timeout: Code.DeadlineExceeded,
  unknown: Code.Unknown,
};

// What callers read. Fixed texts: the carrier's own words (which might echo input) stay in logs.
const messages: Record<CarrierFailure, string> = {
  invalid_destination: "the carrier refused the destination number",
  rejected: "the carrier refused the message",
  disabled: "this channel is not configured on the gateway",
  misconfigured: "the gateway's carrier account is misconfigured",
  rate_limited: "the carrier is rate-limiting the gateway",
  unavailable: "the carrier is unavailable",
  timeout: "the carrier did not answer before the deadline",
  unknown: "the carrier's answer could not be read; the code may or may not have been sent",
};

/** Turns a carrier failure into the Connect error callers see, with the carrier's ids as a detail. */
export function connectErrorFromCarrier(err: CarrierError): ConnectError {
  const detail = create(CarrierErrorDetailSchema, {
    provider: err.provider,
    providerCode: err.providerCode ?? "",
    providerErrorId: err.providerErrorId ?? "",
    httpStatus: err.httpStatus ?? 0,
    retryAfterMs: err.retryAfterMs ?? 0,
  });
  return new ConnectError(messages[err.failure], codes[err.failure], undefined, [
    { desc: CarrierErrorDetailSchema, value: detail },
  ]);
}
