import type { ServiceImpl } from "@connectrpc/connect";
import type { OtpService } from "../gen/otp/v1/otp_pb.js";
import type { VerifyService } from "../gen/otp/v1/verify_pb.js";
import { resilientCarrier } from "./assembly/carrier.js";
import { buildDeliveries, conversionGuard } from "./assembly/deliveries.js";
import type { AssemblyDeps } from "./assembly/deps.js";
import { buildVerify } from "./assembly/verify.js";
import { type Carrier, createCarrier } from "./carrier/index.js";
import type { Config } from "./config/index.js";
import type { ReceiptIntake } from "./delivery/intake.js";
import type { DeliveryTracker } from "./delivery/tracker.js";
import { callerKey } from "./otp/caller.js";
import { maxRpcDeadlineMs } from "./otp/request-rules.js";
import { createOtpService, createSendPipeline, type OtpServiceDeps } from "./otp/service.js";
import { createSafeList } from "./policy/safe-list.js";
import { createMemoryIdempotencyStore, type IdempotencyStore } from "./store/idempotency-store.js";
import { createMemoryRateLimitStore } from "./store/rate-limit-store.js";
import type { RedisStores } from "./store/redis-store.js";

export interface DomainDeps extends AssemblyDeps {
  /** The carrier to send through; built from the config when absent. Tests pass their own. */
  readonly carrier?: Carrier;
  /** Where idempotency keys live; in memory (or Redis, when configured) when absent. */
  readonly idempotency?: IdempotencyStore;
}

/** What this process sends with, when it serves OtpService itself. */
export interface Domain {
  /** The carrier as built, before retries and the breaker: what it can show of itself. */
  readonly baseCarrier: Carrier;
  /** The carrier the service sends through. */
  readonly carrier: Carrier;
  readonly service: ServiceImpl<typeof OtpService>;
  readonly verify: ServiceImpl<typeof VerifyService>;
  /** Undefined when state is kept in this process's memory. */
  readonly redis?: RedisStores;
  /** Forgets every send limit and idempotency key kept in memory; undefined with Redis. */
  readonly forgetMemory?: () => void;
  /** Delivery records and the receipts that move them. */
  readonly deliveries: DeliveryTracker;
  /** Where 8x8's webhook bodies (and the sandbox's own) are taken. */
  readonly intake: ReceiptIntake;
}

/** Builds the carrier, the stores and OtpService from the config; nothing listens or connects yet. */
export async function assembleDomain(deps: DomainDeps): Promise<Domain> {
  const { config, logger, now } = deps;
  // Redis is loaded only when configured: most of a module's cost is paid at import, in
  // start-up time and resident memory, by every gateway whether it uses it or not.
  const redis = config.store
    ? (await import("./store/redis-store.js")).createRedisStores({
        ...config.store,
        logger: logger.child({ component: "store" }),
      })
    : undefined;
  const memoryIdempotency = redis
    ? undefined
    : createMemoryIdempotencyStore({ maxEntries: config.idempotency.maxKeys, now });
  const memoryLimits = redis ? undefined : createMemoryRateLimitStore({ maxKeys: config.rateLimitMaxKeys, now });
  const idempotency = deps.idempotency ?? redis?.idempotency ?? memoryIdempotency!;
  const rateLimitStore = redis?.rateLimits ?? memoryLimits!;
  const guard = await conversionGuard(config, redis, now);
  // The carrier is built after the records; conversions reach it once it exists.
  let carrierOfRecords: Carrier | undefined;
  const { deliveries, intake } = await buildDeliveries(deps, redis, (record, result) => {
    const converted = result === "converted";
    if (record.channel === "sms")
      carrierOfRecords?.reportOutcome?.(record.providerMessageId, converted, record.acceptedAt);
    const country = record.country || "ZZ";
    void guard?.record(country, converted).then(
      (tripped: boolean) => {
        if (tripped)
          logger.error({ country }, `conversion guard: too few codes to ${country} were used; its sends are paused`);
      },
      () => undefined,
    );
  });
  const carrierOptions =
    config.carrier.mode === "8x8" ? { ...config.carrier, connections: config.maxConcurrentSends } : config.carrier;
  const voiceLog = logger.child({ component: "voices" });
  const baseCarrier =
    deps.carrier ??
    createCarrier(carrierOptions, now, {
      receipts: { sink: () => intake, delayMs: config.deliveries.sandboxReceiptDelayMs },
      onFeedback: (outcome, status) => {
        deps.metrics.feedbackPosts.inc({ outcome });
        if (outcome !== "sent") logger.warn({ outcome, httpStatus: status }, "8x8 feedback not taken");
      },
      onVoices: (outcome) =>
        outcome.ok
          ? voiceLog.info(
              outcome.status,
              `8x8 speech profiles read: ${outcome.status.locales} locales in ${outcome.status.languages} languages have a voice`,
            )
          : voiceLog.warn(
              { reason: outcome.reason },
              "8x8 speech profiles could not be read; the built-in voices are used",
            ),
    });
  carrierOfRecords = baseCarrier;
  const carrier = resilientCarrier(baseCarrier, config, logger, deps.metrics, now);
  const serviceDeps: OtpServiceDeps = {
    carrier,
    logger: logger.child({ component: "otp-service" }),
    smsTemplate: config.smsTemplate,
    smsTemplates: config.smsTemplates,
    defaultTimeoutMs: config.rpcDefaultTimeoutMs,
    idempotency,
    idempotencyTtlMs: config.idempotency.ttlMs,
    maxConcurrentSends: config.maxConcurrentSends,
    destinationPolicy: config.destinationPolicy,
    rateLimits: { settings: config.rateLimits, store: rateLimitStore, failOpen: config.rateLimitFailOpen },
    metrics: deps.metrics,
    defaultRegion: config.defaultPhoneRegion,
    now,
    newId: deps.newId,
    deliveries: { tracker: deliveries, admins: adminsOf(config), maxWatchMs: maxRpcDeadlineMs },
    fraud: {
      mode: config.fraud.mode,
      guard,
      safe: createSafeList(config.fraud.safeNumbers, config.fraud.safeUserIds),
    },
  };
  // One pipeline for both services: a Verify code meets the same policy, limits and records.
  const send = createSendPipeline(serviceDeps);
  const service = createOtpService({ ...serviceDeps, send });
  const verify = await buildVerify(deps, { redis, send, rateLimits: rateLimitStore, deliveries });
  const forgetMemory =
    memoryIdempotency && memoryLimits
      ? () => {
          memoryIdempotency.clear();
          memoryLimits.clear();
        }
      : undefined;
  return { baseCarrier, carrier, service, verify, redis, forgetMemory, deliveries, intake };
}

/** Who reads every delivery: OTP_ADMIN_KEYS, and everyone in a sandbox open without keys. */
function adminsOf(config: Config): ReadonlySet<string> {
  const open = config.carrier.mode === "sandbox" && config.apiKeys.size === 0;
  return open ? new Set([...config.adminCallers, callerKey.defaultValue]) : config.adminCallers;
}
