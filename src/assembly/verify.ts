import { randomUUID } from "node:crypto";
import type { DeliveryTracker } from "../delivery/tracker.js";
import type { Send } from "../otp/send/send.js";
import type { RateLimitStore } from "../store/rate-limit-store.js";
import type { RedisStores } from "../store/redis-store.js";
import { deriveKeys } from "../verify/codes.js";
import { createMemoryVerificationStore } from "../verify/memory-store.js";
import { createVerifyService } from "../verify/service.js";
import type { AssemblyDeps } from "./deps.js";

/** VerifyService over the shared send pipeline, its verifications in memory or Redis. */
export async function buildVerify(
  deps: AssemblyDeps,
  parts: { redis?: RedisStores; send: Send; rateLimits: RateLimitStore; deliveries: DeliveryTracker },
) {
  const { config, logger, now } = deps;
  const { verify } = config;
  if (verify.hashKey === undefined) {
    logger.warn("VERIFY_HASH_KEY is not set: VerifyService refuses every call (FAILED_PRECONDITION)");
  }
  const store = parts.redis
    ? (await import("../verify/redis-store.js")).createRedisVerificationStore(parts.redis.connection, {
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
