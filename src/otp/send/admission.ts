import { Code, ConnectError } from "@connectrpc/connect";
import { GatewayFailure, PolicyDetailSchema, RateLimitDetailSchema } from "../../../gen/otp/v1/otp_pb.js";
import { traceFields } from "../../observability/trace-context.js";
import type { ConversionGuard } from "../../policy/conversion-guard.js";
import { checkDestination, type DestinationPolicy } from "../../policy/destination-policy.js";
import { type RateLimitRule, type RateLimitSettings, rulesFor } from "../../policy/limits.js";
import type { SafeList } from "../../policy/safe-list.js";
import type { RateLimitDecision, RateLimitStore } from "../../store/rate-limit-store.js";
import { gatewayError } from "../errors.js";
import type { ValidSend } from "../validation.js";
import { countOutcome, type Send, type SendCall, type SendReporting, spanOfCall } from "./send.js";

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
  /** The anti-pumping rules: their mode, the conversion guard, the safe list. */
  readonly fraud?: {
    readonly mode: "enforce" | "monitor";
    readonly guard?: ConversionGuard;
    readonly safe?: SafeList;
  };
}

/** Destination policy and send limits, checked before any money is spent. */
export function withAdmission(next: Send, options: AdmissionOptions): Send {
  return async (send, call) => {
    refuseByPolicy(send, call, options);
    if (options.fraud?.safe?.(send.phone.e164, send.userId)) {
      countFraud(options, "safe_list", "bypassed");
      return next(send, call);
    }
    await refuseByGuard(send, call, options);
    await refuseByLimits(send, call, options);
    return next(send, call);
  };
}

function refuseByPolicy(send: ValidSend, call: SendCall, options: AdmissionOptions): void {
  const channel = send.channelName;
  const refusal = checkDestination(options.destinationPolicy, channel, send.phone);
  if (!refusal) return;
  countOutcome(options, send, `policy_${refusal}`);
  const { masked: to, region, type } = send.phone;
  const span = spanOfCall(call);
  const line = { caller: call.caller, channel, to, region, type, reason: refusal, ...traceFields(span) };
  options.logger.warn(line, "destination refused by policy");
  span?.setAttribute("otp.refused", refusal);
  throw new ConnectError("the destination is not allowed by the gateway's policy", Code.PermissionDenied, undefined, [
    { desc: PolicyDetailSchema, value: { reason: refusal } },
  ]);
}

async function refuseByLimits(send: ValidSend, call: SendCall, options: AdmissionOptions): Promise<void> {
  const limits = options.rateLimits;
  if (!limits) return;
  const channel = send.channelName;
  const all = rulesFor(limits.settings, {
    e164: send.phone.e164,
    region: send.phone.region ?? "ZZ",
    userId: send.userId,
    purpose: send.purpose,
    clientIp: send.clientIp,
  });
  // In monitor mode the anti-pumping rules are counted on their own and refuse nothing.
  const monitor = options.fraud?.mode === "monitor";
  const rules = monitor ? all.filter((r) => !r.fraud) : all;
  if (monitor)
    await monitorFraudRules(
      send,
      call.caller,
      all.filter((r) => r.fraud),
      options,
    );
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
  if (rules.find((r) => r.name === rule)?.fraud) countFraud(options, rule, "refused");
  countOutcome(options, send, `rate_limited_${rule}`);
  const span = spanOfCall(call);
  const { caller } = call;
  const to = send.phone.masked;
  const purpose = send.purpose || undefined;
  const line = { caller, channel, to, limit: rule, retryAfterMs, purpose, ...traceFields(span) };
  options.logger.warn(line, "send refused by rate limit");
  span?.setAttribute("otp.refused", `rate_limited_${rule}`);
  throw new ConnectError("too many codes sent; try again later", Code.ResourceExhausted, undefined, [
    { desc: RateLimitDetailSchema, value: { limit: rule, retryAfterMs: Math.ceil(retryAfterMs) } },
  ]);
}

/** FRAUD_RULES_MODE=monitor: the anti-pumping rules' would-be refusals, logged and counted. */
async function monitorFraudRules(
  send: ValidSend,
  caller: string,
  rules: RateLimitRule[],
  options: AdmissionOptions,
): Promise<void> {
  if (rules.length === 0 || !options.rateLimits) return;
  const decision = await options.rateLimits.store.hit(rules, options.newId()).catch(() => ({ allowed: true as const }));
  if (decision.allowed) return;
  countFraud(options, decision.rule, "would_refuse");
  const line = { caller, channel: send.channelName, to: send.phone.masked, rule: decision.rule };
  options.logger.warn(line, "anti-pumping rule would refuse this send (FRAUD_RULES_MODE=monitor)");
}

/** The conversion guard: a country whose recent codes went unused is paused for a while. */
async function refuseByGuard(send: ValidSend, call: SendCall, options: AdmissionOptions): Promise<void> {
  const guard = options.fraud?.guard;
  if (!guard) return;
  const country = send.phone.region ?? "ZZ";
  const blockedMs = await guard.blockedFor(country).catch(() => undefined);
  if (blockedMs === undefined) return;
  const monitor = options.fraud?.mode === "monitor";
  countFraud(options, "conversion_guard", monitor ? "would_refuse" : "refused");
  if (monitor) return;
  countOutcome(options, send, "rate_limited_conversion_guard");
  const span = spanOfCall(call);
  const line = { caller: call.caller, channel: send.channelName, to: send.phone.masked, country, ...traceFields(span) };
  options.logger.warn(line, "send refused by the conversion guard");
  span?.setAttribute("otp.refused", "conversion_guard");
  throw new ConnectError(
    "sends to this country are paused: too few codes sent there were used",
    Code.ResourceExhausted,
    undefined,
    [{ desc: RateLimitDetailSchema, value: { limit: "conversion_guard", retryAfterMs: Math.ceil(blockedMs) } }],
  );
}

function countFraud(options: AdmissionOptions, rule: string, decision: string): void {
  options.metrics?.fraudDecisions.inc({ rule, mode: options.fraud?.mode ?? "enforce", decision });
}
