import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import {
  BadRequestDetailSchema,
  CarrierErrorDetailSchema,
  GatewayErrorDetailSchema,
  type GatewayFailure,
  CarrierFailure as WireCarrierFailure,
} from "../../gen/otp/v1/otp_pb.js";
import type { CarrierError, CarrierFailure } from "../carrier/index.js";

// What each carrier failure is on the wire: the Connect code, the fixed text callers read (the
// carrier's own words, which might echo input, stay in logs) and the detail's failure.
const carrierFailures: Record<CarrierFailure, { code: Code; message: string; failure: WireCarrierFailure }> = {
  invalid_destination: {
    code: Code.InvalidArgument,
    message: "the carrier refused the destination number",
    failure: WireCarrierFailure.INVALID_DESTINATION,
  },
  rejected: {
    code: Code.FailedPrecondition,
    message: "the carrier refused the message",
    failure: WireCarrierFailure.REJECTED,
  },
  disabled: {
    code: Code.FailedPrecondition,
    message: "this channel is not configured on the gateway",
    failure: WireCarrierFailure.CHANNEL_NOT_CONFIGURED,
  },
  misconfigured: {
    code: Code.Internal,
    message: "the gateway's carrier account is misconfigured",
    failure: WireCarrierFailure.MISCONFIGURED,
  },
  rate_limited: {
    code: Code.ResourceExhausted,
    message: "the carrier is rate-limiting the gateway",
    failure: WireCarrierFailure.RATE_LIMITED,
  },
  unavailable: {
    code: Code.Unavailable,
    message: "the carrier is unavailable",
    failure: WireCarrierFailure.UNAVAILABLE,
  },
  timeout: {
    code: Code.DeadlineExceeded,
    message: "the carrier did not answer before the deadline",
    failure: WireCarrierFailure.TIMEOUT,
  },
  unknown: {
    code: Code.Unknown,
    message: "the carrier's answer could not be read; the code may or may not have been sent",
    failure: WireCarrierFailure.UNKNOWN,
  },
};

/** Turns a carrier failure into the Connect error callers see, with the carrier's ids and the failure as a detail. */
export function connectErrorFromCarrier(err: CarrierError): ConnectError {
  const wire = carrierFailures[err.failure];
  const detail = create(CarrierErrorDetailSchema, {
    provider: err.provider,
    providerCode: err.providerCode ?? "",
    providerErrorId: err.providerErrorId ?? "",
    httpStatus: err.httpStatus ?? 0,
    retryAfterMs: err.retryAfterMs ?? 0,
    failure: wire.failure,
  });
  return new ConnectError(wire.message, wire.code, undefined, [{ desc: CarrierErrorDetailSchema, value: detail }]);
}

/** A refusal by the gateway itself, typed so the façade can tell it from the carrier's. */
export function gatewayError(message: string, code: Code, failure: GatewayFailure): ConnectError {
  return new ConnectError(message, code, undefined, [{ desc: GatewayErrorDetailSchema, value: { failure } }]);
}

/** One wrong request field: `message` is what the error says, the rest travels as a detail. */
export interface Violation {
  readonly field: string;
  readonly description: string;
  readonly reason: string;
  readonly message: string;
}

/** INVALID_ARGUMENT naming every wrong field, each also as a FieldViolation. */
export function invalidArgument(violations: readonly Violation[]): ConnectError {
  const fieldViolations = violations.map(({ field, description, reason }) => ({ field, description, reason }));
  return new ConnectError(violations.map((v) => v.message).join("; "), Code.InvalidArgument, undefined, [
    { desc: BadRequestDetailSchema, value: { fieldViolations } },
  ]);
}

/**
 * Runs a read or write of a store: its failure is UNAVAILABLE with `message` (try again), the
 * cause kept for logs, off the wire; the caller's own Connect errors pass as they are.
 */
export async function storeCall<T>(message: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof ConnectError) throw err;
    throw new ConnectError(message, Code.Unavailable, undefined, undefined, err);
  }
}
