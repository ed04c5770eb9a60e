import { randomUUID } from "node:crypto";
import type { ServiceImpl } from "@connectrpc/connect";
import type { Logger } from "pino";
import type { OtpService } from "../gen/otp/v1/otp_pb.js";
import type { VerifyService } from "../gen/otp/v1/verify_pb.js";
import {
  type Carrier,
  createCarrier,
  defaultRetryPolicy,
  withCircuitBreaker,
  withMetering,
  withRetries,
} from "./carrier/index.js";
import type { Config } from "./config/index.js";
import type { ConversionListener } from "./delivery/conversion.js";
import { createReceiptIntake, type ReceiptIntake } from "./delivery/intake.js";
import { createMemoryDeliveryStore } from "./delivery/memory-store.js";
import type { DeliveryStore } from "./delivery/store.js";
import { createDeliveryTracker, type DeliveryTracker } from "./delivery/tracker.js";
import type { GatewayMetrics } from "./observability/metrics.js";
import { callerKey, hookCallerName } from "./otp/caller.js";
import { maxRpcDeadlineMs } from "./otp/request-rules.js";
import type { Send } from "./otp/send/send.js";
import { createOtpService, createSendPipeline, type OtpServiceDeps } from "./otp/service.js";
import { createMemoryIdempotencyStore, type IdempotencyStore } from "./store/idempotency-store.js";
import type { RateLimitStore } from "./store/rate-limit-store.js";
import { createMemoryRateLimitStore } from "./store/rate-limit-store.js";
import type { RedisStores } from "./store/redis-store.js";
import { deriveKeys } from "./verify/codes.js";
import { createMemoryVerificationStore } from "./verify/memory-store.js";
import { createVerifyService } from "./verify/service.js";

export interface DomainDeps {
  readonly config: Config;
  readonly logger: Logger;
  readonly metrics: GatewayMetrics;
  /** The carrier to send through; built from the config when absent. Tests pass their own. */
  readonly carrier?: Carrier;
  /** Where idempotency keys live; in memory (or Redis, when configured) when absent. */
  readonly idempotency?: IdempotencyStore;
  readonly now?: () => number;
  readonly newId?: () => string;
  /** How often receipt deadlines are swept (tests shorten it). */
  readonly sweepEveryMs?: number;
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

// 8x8 sends no receipt later than 48 hours after a send; a record is kept an hour beyond.
const retentionMs = 49 * 3_600_000;

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
  // The carrier is built after the records; conversions reach it once it exists.
  let carrierOfRecords: Carrier | undefined;
  const { deliveries, intake } = await buildDeliveries(deps, redis, (record, result) => {
    if (record.channel === "sms")
      carrierOfRecords?.reportOutcome?.(record.providerMessageId, result === "converted", record.acceptedAt);
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

/** Delivery records in memory or Redis, and the intake of receipts that moves them. */
async function buildDeliveries(deps: DomainDeps, redis: RedisStores | undefined, onConcluded: ConversionListener) {
  const { config, logger, now } = deps;
  const store: DeliveryStore = redis
    ? (await import("./delivery/redis-store.js")).createRedisDeliveryStore(redis.connection, { retentionMs })
    : createMemoryDeliveryStore({ maxRecords: config.deliveries.maxRecords, retentionMs, now });
  const deliveries = createDeliveryTracker({
    store,
    shared: redis !== undefined,
    receiptTimeoutMs: config.deliveries.receiptTimeoutMs,
    now: now ?? Date.now,
    logger: logger.child({ component: "deliveries" }),
    metrics: deps.metrics,
    sweepEveryMs: deps.sweepEveryMs,
    // Only sends something reports on are judged: the hook's, when Okta's event hook is set up.
    conversionWindow: config.conversions.eventHook
      ? { ms: config.conversions.windowMs, callers: new Set([hookCallerName]) }
      : undefined,
    onConcluded,
  });
  const intake = createReceiptIntake(deliveries, {
    logger: logger.child({ component: "webhooks" }),
    metrics: deps.metrics,
  });
  return { deliveries, intake };
}

/** VerifyService over the shared send pipeline, its verifications in memory or Redis. */
async function buildVerify(
  deps: DomainDeps,
  parts: { redis?: RedisStores; send: Send; rateLimits: RateLimitStore; deliveries: DeliveryTracker },
) {
  const { config, logger, now } = deps;
  const { verify } = config;
  if (verify.hashKey === undefined) {
    logger.warn("VERIFY_HASH_KEY is not set: VerifyService refuses every call (FAILED_PRECONDITION)");
  }
  const store = parts.redis
    ? (await import("./verify/redis-store.js")).createRedisVerificationStore(parts.redis.connection, {
        prefix: config.store!.prefix,
        now,
      })
    : createMemoryVerificationStore({ maxRecords: verify.maxRecords, now });
  return createVerifyService({
    send: parts.send,
    rules: {
      defaultRegion: config.defaultPhoneRegion,
      smsTemplate: config.smsTemplate,
      smsTemplates: config.smsTemplates,
    },
    store,
    keys: verify.hashKey === undefined ? undefined : deriveKeys(verify.hashKey),
    settings: verify,
    rateLimits: parts.rateLimits,
    deliveries: parts.deliveries,
    logger: logger.child({ component: "verify-service" }),
    metrics: deps.metrics,
    now: now ?? Date.now,
    newId: deps.newId ?? randomUUID,
  });
}

/** Who reads every delivery: OTP_ADMIN_KEYS, and everyone in a sandbox open without keys. */
function adminsOf(config: Config): ReadonlySet<string> {
  const open = config.carrier.mode === "sandbox" && config.apiKeys.size === 0;
  return open ? new Set([...config.adminCallers, callerKey.defaultValue]) : config.adminCallers;
}

const circuitLevels = { closed: 0, half_open: 1, open: 2 } as const;

/** Retries only provably unsent attempts, and fails fast while the carrier keeps failing. */
function resilientCarrier(
  base: Carrier,
  config: Config,
  logger: Logger,
  metrics: GatewayMetrics,
  now?: () => number,
): Carrier {
  const metered = withMetering(base, (channel, outcome, seconds) =>
    metrics.carrierDuration.observe({ channel, outcome }, seconds),
  );
  for (const channel of ["sms", "voice"]) metrics.circuitState.set({ channel }, circuitLevels.closed);
  const retrying = withRetries(metered, {
    ...defaultRetryPolicy,
    maxRetries: config.carrierMaxRetries,
    now,
    onRetry: (info) => {
      metrics.carrierRetries.inc({ channel: info.channel });
      logger.info(info, "retrying a send the carrier provably did not take");
    },
  });
  return withCircuitBreaker(retrying, {
    ...config.circuitBreaker,
    now,
    onStateChange: (channel, state, consecutiveFailures) => {
      metrics.circuitState.set({ channel }, circuitLevels[state]);
      const opened = state === "open";
      const line = { channel, state, consecutiveFailures };
      if (opened) logger.error(line, `carrier ${channel} circuit opened: failing fast`);
      else logger.warn(line, `carrier ${channel} circuit ${state}`);
    },
  });
}
