import { Code, type ConnectError } from "@connectrpc/connect";
import {
  BadRequestDetailSchema,
  CarrierErrorDetailSchema,
  CarrierFailure,
  type FieldViolation,
  GatewayErrorDetailSchema,
  GatewayFailure,
  PolicyDetailSchema,
  RateLimitDetailSchema,
} from "../../gen/otp/v1/otp_pb.js";
import { type OktaErrorCause, oktaError } from "./telephony-types.js";

// Short, fixed reasons for transactionMetadata: Okta may show them, so they hold no internals.
// Each is read from the typed detail the service attached; nothing is guessed from the code.
const carrierReasons: Record<CarrierFailure, string> = {
  [CarrierFailure.UNSPECIFIED]: "gateway_error",
  [CarrierFailure.INVALID_DESTINATION]: "destination_refused",
  [CarrierFailure.REJECTED]: "carrier_refused",
  [CarrierFailure.CHANNEL_NOT_CONFIGURED]: "{channel}_not_configured",
  [CarrierFailure.MISCONFIGURED]: "gateway_error",
  [CarrierFailure.RATE_LIMITED]: "rate_limited",
  [CarrierFailure.UNAVAILABLE]: "carrier_unavailable",
  [CarrierFailure.TIMEOUT]: "timeout",
  [CarrierFailure.UNKNOWN]: "outcome_unknown",
};

const gatewayReasons: Record<GatewayFailure, string> = {
  [GatewayFailure.UNSPECIFIED]: "gateway_error",
  [GatewayFailure.OVERLOADED]: "overloaded",
  [GatewayFailure.LIMITS_UNAVAILABLE]: "gateway_unavailable",
  [GatewayFailure.IN_PROGRESS]: "timeout",
  [GatewayFailure.KEY_REUSED]: "duplicate_event",
};

// An error with no detail never reached the service's own checks: the RPC itself failed
// (a remote OtpService unreachable, the deadline passed on the way).
const transportReasons: Partial<Record<Code, string>> = {
  [Code.Unavailable]: "gateway_unavailable",
  [Code.DeadlineExceeded]: "timeout",
  [Code.InvalidArgument]: "invalid_request",
};

/** What Okta is told about a send that did not happen. */
export type HookOutcome =
  | {
      readonly kind: "bad_request";
      readonly body: ReturnType<typeof oktaError>;
      readonly problem: string;
      readonly log: string;
    }
  | { readonly kind: "refused"; readonly reason: string; readonly summary: string; readonly oktaReason: string }
  | { readonly kind: "failed"; readonly reason: string; readonly provider?: string; readonly providerCode?: string };

/** Translates the service's error, by its detail, into Okta's terms. */
export function hookOutcome(ce: ConnectError, channel: string): HookOutcome {
  const badRequest = ce.findDetails(BadRequestDetailSchema)[0];
  const request = badRequest && requestProblem(badRequest.fieldViolations);
  if (request) return request;
  const refusal = gatewayRefusal(ce);
  if (refusal) return refusal;
  const carrier = ce.findDetails(CarrierErrorDetailSchema)[0];
  if (carrier) {
    const reason = carrierReasons[carrier.failure] ?? "gateway_error";
    return {
      kind: "failed",
      reason: reason.replace("{channel}", channel),
      provider: carrier.provider || undefined,
      providerCode: carrier.providerCode || undefined,
    };
  }
  const gateway = ce.findDetails(GatewayErrorDetailSchema)[0];
  if (gateway) return { kind: "failed", reason: gatewayReasons[gateway.failure] ?? "gateway_error" };
  return { kind: "failed", reason: transportReasons[ce.code] ?? "gateway_error" };
}

/** The phone number or code Okta sent cannot be used: a 400 naming Okta's field. */
function requestProblem(violations: readonly FieldViolation[]): HookOutcome | undefined {
  const phone = violations.find((v) => v.field === "phone_number");
  if (phone) {
    const cause = bodyCause(phone.description, "INVALID_PHONE_NUMBER", "phoneNumber");
    return {
      kind: "bad_request",
      body: oktaError("The phone number cannot receive a code", [cause]),
      problem: phone.reason,
      log: "okta hook request has an unusable phone number",
    };
  }
  const code = violations.find((v) => v.field === "code");
  if (code) {
    const cause = bodyCause("otpCode must be 4 to 10 letters or digits", "INVALID_REQUEST", "otpCode");
    return {
      kind: "bad_request",
      body: oktaError("The telephony request is invalid", [cause]),
      problem: code.reason,
      log: "okta hook request has an unusable code (not 4 to 10 letters or digits)",
    };
  }
  return undefined;
}

function bodyCause(errorSummary: string, reason: string, field: string): OktaErrorCause {
  return { errorSummary, reason, locationType: "body", location: `data.messageProfile.${field}` };
}

/** A refusal by the gateway's own send limits or destination policy, in Okta's terms. */
function gatewayRefusal(ce: ConnectError): HookOutcome | undefined {
  const limit = ce.findDetails(RateLimitDetailSchema)[0];
  if (limit) {
    return {
      kind: "refused",
      reason: `rate_limited_${limit.limit}`,
      summary: "Too many verification codes were requested. Please wait and try again later.",
      oktaReason: "RATE_LIMITED",
    };
  }
  const policy = ce.findDetails(PolicyDetailSchema)[0];
  if (policy) {
    return {
      kind: "refused",
      reason: `policy_${policy.reason}`,
      summary: "Verification codes cannot be sent to this phone number.",
      oktaReason: "DESTINATION_NOT_ALLOWED",
    };
  }
  return undefined;
}
