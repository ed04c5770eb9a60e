import { Code, ConnectError } from "@connectrpc/connect";
import { trace } from "@opentelemetry/api";
import { GatewayFailure, PolicyDetailSchema, RateLimitDetailSchema } from "../../../gen/otp/v1/otp_pb.js";
import { checkDestination, type DestinationPolicy } from "../../policy/destination-policy.js";
import { type RateLimitSettings, rulesFor } from "../../policy/limits.js";
import type { RateLimitDecision, RateLimitStore } from "../../store/rate-limit-store.js";
import { gatewayError } from "../errors.js";
import type { ValidSend } from "../validation.js";
import { countOutcome, type Send, type SendReporting } from "./send.js";

export interface AdmissionOptions extends SendReporting {
  /** Which destinations may receive a code, per channel. */
  readonly destinationPolicy: DestinationPolicy;
  readonly rateLimits?: {
    readonly settings: RateLimitSettings;
    readonly store: RateLimitStore;
    readonly failOpen: boolean;
  };
  /** The id a send's limit hits are recorded under. */
  readonly newId: () => string;
}

/** Destination policy and send limits, checked before any money is spent. */
export function withAdmission(next: Send, options: AdmissionOptions): Send {
  return async (send, call) => {
    refuseByPolicy(send, call.caller, options);
    await refuseByLimits(send, call.caller, options);
    return next(send, call);
  };
}

function refuseByPolicy(send: ValidSend, caller: string, options: AdmissionOptions): void {
  const channel = send.channelName;
  const refusal = checkDestination(options.destinationPolicy, channel, send.phone);
  if (!refusal) return;
  countOutcome(options, send, `policy_${refusal}`);
  const { masked: to, region, type } = send.phone;
  options.logger.warn({ caller, channel, to, region, type, reason: refusal }, "destination refused by policy");
  trace.getActiveSpan()?.setAttribute("otp.refused", refusal);
  throw new ConnectError("the destination is not allowed by the gateway's policy", Code.PermissionDenied, undefined, [
    { desc: PolicyDetailSchema, value: { reason: refusal } },
  ]);
}

async function refuseByLimits(send: ValidSend, caller: string, options: AdmissionOptions): Promise<void> {
  const limits = options.rateLimits;
  if (!limits) return;
  const channel = send.channelName;
  const rules = rulesFor(limits.settings, {
    e164: send.phone.e164,
    region: send.phone.region ?? "ZZ",
    userId: send.userId,
    purpose: send.purpose,
  });
  if (rules.length === 0) return;
  let decision: RateLimitDecision;
  try {
    decision = await limits.store.hit(rules, options.newId());
  } catch (err) {
    options.logger.warn({ err, failOpen: limits.failOpen }, "rate limit store unavailable");
    if (limits.failOpen) return;
    countOutcome(options, send, "rate_limit_store_down");
    throw gatewayError("send limits cannot be checked right now", Code.Unavailable, GatewayFailure.LIMITS_UNAVAILABLE);
  }
  if (decision.allowed) return;
  const { rule, retryAfterMs } = decision;
  countOutcome(options, send, `rate_limited_${rule}`);
  options.logger.warn(
    { caller, channel, to: send.phone.masked, limit: rule, retryAfterMs, purpose: send.purpose || undefined },
    "send refused by rate limit",
  );
  trace.getActiveSpan()?.setAttribute("otp.refused", `rate_limited_${rule}`);
  throw new ConnectError("too many codes sent; try again later", Code.ResourceExhausted, undefined, [
    { desc: RateLimitDetailSchema, value: { limit: rule, retryAfterMs: Math.ceil(retryAfterMs) } },
  ]);
}
