import { randomUUID } from "node:crypto";
import type { ServiceImpl } from "@connectrpc/connect";
import type { CountryCode } from "libphonenumber-js/max";
import type { Logger } from "pino";
import type { OtpService } from "../../gen/otp/v1/otp_pb.js";
import type { Carrier } from "../carrier/index.js";
import type { GatewayMetrics } from "../observability/metrics.js";
import { type DestinationPolicy, defaultDestinationPolicy } from "../policy/destination-policy.js";
import type { RateLimitSettings } from "../policy/limits.js";
import type { IdempotencyStore } from "../store/idempotency-store.js";
import type { RateLimitStore } from "../store/rate-limit-store.js";
import type { DeliveryAccess } from "./deliveries/lookup.js";
import { createGetDeliveryHandler } from "./handlers/get-delivery.js";
import { createReportOutcomeHandler } from "./handlers/report-outcome.js";
import { createSendOtpHandler } from "./handlers/send-otp.js";
import { createWatchDeliveryHandler } from "./handlers/watch-delivery.js";
import { type AdmissionOptions, withAdmission } from "./send/admission.js";
import { withIdempotency } from "./send/at-most-once.js";
import { withCapacity } from "./send/capacity.js";
import { createDelivery } from "./send/delivery.js";
import type { Send } from "./send/send.js";

export interface OtpServiceDeps {
  readonly carrier: Carrier;
  readonly logger: Logger;
  readonly now?: () => number;
  readonly newId?: () => string;
  readonly defaultRegion?: CountryCode;
  /** SMS text when the caller sends none; must contain "{code}". */
  readonly smsTemplate: string;
  /** SMS templates by language over the built-in ones (OTP_SMS_TEMPLATES). */
  readonly smsTemplates?: Readonly<Record<string, string>>;
  /** Carrier time budget for callers that set no deadline. */
  readonly defaultTimeoutMs: number;
  /** Makes sends with an idempotency key happen at most once. */
  readonly idempotency?: IdempotencyStore;
  /** How long an idempotency key's answer is remembered. */
  readonly idempotencyTtlMs?: number;
  /** Sends in flight at once; more are refused at once with ResourceExhausted. */
  readonly maxConcurrentSends?: number;
  /** Which destinations may receive a code, per channel. */
  readonly destinationPolicy?: DestinationPolicy;
  readonly rateLimits?: {
    readonly settings: RateLimitSettings;
    readonly store: RateLimitStore;
    readonly failOpen: boolean;
  };
  readonly metrics?: GatewayMetrics;
  /** Delivery records (GetDelivery, WatchDelivery) and who may read them all. */
  readonly deliveries?: DeliveryAccess;
  /** The anti-pumping rules' mode, the conversion guard and the safe list. */
  readonly fraud?: AdmissionOptions["fraud"];
  /** The send pipeline, when it is shared (VerifyService sends through it too); built here when absent. */
  readonly send?: Send;
}

/** The OtpService handlers, one file each under handlers/, over one send pipeline. */
export function createOtpService(deps: OtpServiceDeps): ServiceImpl<typeof OtpService> {
  const now = deps.now ?? Date.now;
  const send = deps.send ?? createSendPipeline(deps);
  return {
    sendOtp: createSendOtpHandler(
      send,
      { defaultRegion: deps.defaultRegion, smsTemplate: deps.smsTemplate, smsTemplates: deps.smsTemplates },
      now,
    ),
    getDelivery: createGetDeliveryHandler(deps.deliveries),
    watchDelivery: createWatchDeliveryHandler(deps.deliveries),
    reportOutcome: createReportOutcomeHandler(deps.deliveries),
  };
}

/** Capacity → at most once → admission (policy, limits) → the carrier. */
export function createSendPipeline(deps: OtpServiceDeps): Send {
  const now = deps.now ?? Date.now;
  const newId = deps.newId ?? randomUUID;
  const reporting = { logger: deps.logger, metrics: deps.metrics };
  const delivery = createDelivery({
    ...reporting,
    carrier: deps.carrier,
    defaultTimeoutMs: deps.defaultTimeoutMs,
    now,
    newId,
    deliveries: deps.deliveries?.tracker,
  });
  const destinationPolicy = deps.destinationPolicy ?? defaultDestinationPolicy();
  const admitted = withAdmission(delivery, {
    ...reporting,
    destinationPolicy,
    rateLimits: deps.rateLimits,
    newId,
    fraud: deps.fraud,
  });
  const once = deps.idempotency
    ? withIdempotency(admitted, {
        store: deps.idempotency,
        ttlMs: deps.idempotencyTtlMs ?? 15 * 60_000,
        defaultTimeoutMs: deps.defaultTimeoutMs,
        logger: deps.logger,
        metrics: deps.metrics,
      })
    : admitted;
  // Outermost, so a repeat waiting for its first attempt holds a slot too: a crowd of them
  // cannot grow past the cap while they poll the store.
  return withCapacity(once, deps.maxConcurrentSends ?? Infinity, reporting);
}
