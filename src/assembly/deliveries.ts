import type { Config } from "../config/index.js";
import type { ConversionListener } from "../delivery/conversion.js";
import { createReceiptIntake } from "../delivery/intake.js";
import { createMemoryDeliveryStore } from "../delivery/memory-store.js";
import { oktaScope } from "../delivery/record.js";
import type { DeliveryStore } from "../delivery/store.js";
import { createDeliveryTracker } from "../delivery/tracker.js";
import { createMemoryConversionGuard } from "../policy/conversion-guard.js";
import type { RedisStores } from "../store/redis-store.js";
import type { AssemblyDeps } from "./deps.js";

// 8x8 sends no receipt later than 48 hours after a send; a record is kept an hour beyond.
const retentionMs = 49 * 3_600_000;

/** Delivery records in memory or Redis, and the intake of receipts that moves them. */
export async function buildDeliveries(
  deps: AssemblyDeps,
  redis: RedisStores | undefined,
  onConcluded: ConversionListener,
) {
  const { config, logger, now } = deps;
  const store: DeliveryStore = redis
    ? (await import("../delivery/redis-store.js")).createRedisDeliveryStore(redis.connection, { retentionMs })
    : createMemoryDeliveryStore({ maxRecords: config.deliveries.maxRecords, retentionMs, now });
  const deliveries = createDeliveryTracker({
    store,
    shared: redis !== undefined,
    receiptTimeoutMs: config.deliveries.receiptTimeoutMs,
    now: now ?? Date.now,
    logger: logger.child({ component: "deliveries" }),
    metrics: deps.metrics,
    sweepEveryMs: deps.sweepEveryMs,
    // Only sends something reports on are judged: Okta's, when its event hook is set up.
    conversionWindow: config.conversions.eventHook
      ? { ms: config.conversions.windowMs, scopes: new Set([oktaScope]) }
      : undefined,
    onConcluded,
  });
  const intake = createReceiptIntake(deliveries, {
    logger: logger.child({ component: "webhooks" }),
    metrics: deps.metrics,
  });
  return { deliveries, intake };
}

/** The conversion guard, shared through Redis when there is one; undefined when it is off. */
export async function conversionGuard(config: Config, redis: RedisStores | undefined, now?: () => number) {
  const settings = config.fraud.guard;
  if (!settings) return undefined;
  return redis
    ? (await import("../store/redis-conversion-guard.js")).createRedisConversionGuard(redis.connection, settings, now)
    : createMemoryConversionGuard(settings, now);
}
