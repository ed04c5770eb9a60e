import { hash } from "node:crypto";
import type { Redis } from "ioredis";
import { createJsonUpdate } from "../store/redis-json.js";
import { type CarrierReceipt, type DeliveryRecord, userScopeOf } from "./record.js";
import type { DeliveryStore, EarlyReceipt } from "./store.js";

export interface RedisDeliveryStoreOptions {
  /** How long a record and its indexes live after acceptance. */
  readonly retentionMs: number;
  /** How long a receipt that came before its record is kept. */
  readonly earlyTtlMs?: number;
}

// Removes the due ids it returns in the same step, so each goes to exactly one replica.
const takeDueScript = `
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
if #ids > 0 then redis.call('ZREM', KEYS[1], unpack(ids)) end
return ids`;

const maxEarlyPerId = 8;
// A change that loses this many races in a row to other replicas gives up (and the webhook
// answers 503, so 8x8 sends the receipt again).
const maxRounds = 8;

interface Commands {
  otpDeliveryDue(key: string, now: number, max: number): Promise<string[]>;
}

/** Delivery records in Redis, shared by every replica: JSON per record, plain keys for the indexes. */
export function createRedisDeliveryStore(redis: Redis, options: RedisDeliveryStoreOptions): DeliveryStore {
  redis.defineCommand("otpDeliveryDue", { numberOfKeys: 1, lua: takeDueScript });
  const commands = redis as unknown as Commands;
  const update = createJsonUpdate(redis, maxRounds);
  const ttl = options.retentionMs;
  const earlyTtl = options.earlyTtlMs ?? 10 * 60_000;
  const recordKey = (id: string) => `dlv:${id}`;
  const providerKey = (id: string) => `dlv-p:${id}`;
  const idemKey = (caller: string, key: string) => `dlv-k:${caller}:${key}`;
  const earlyKey = (id: string) => `dlv-e:${id}`;
  // A user id is the caller's to see, not the store's: hashed in the key.
  const userKey = (scope: string, userId: string) => `dlv-u:${scope}:${hash("sha256", userId, "base64url")}`;
  const dueKey = "dlv-due";
  const conversionDueKey = "dlv-cdue";
  const parse = (text: string | null) => (text === null ? undefined : (JSON.parse(text) as DeliveryRecord));

  return {
    async create(record, deadlines) {
      const tx = redis
        .multi()
        .set(recordKey(record.deliveryId), JSON.stringify(record), "PX", ttl)
        .set(providerKey(record.providerMessageId), record.deliveryId, "PX", ttl);
      if (record.idempotencyKey !== "") {
        tx.set(idemKey(record.caller, record.idempotencyKey), record.deliveryId, "PX", ttl);
      }
      // The deadline set lives as long as its newest member could: a gateway fleet that stops
      // sweeping leaves nothing behind for longer than a record.
      tx.zadd(dueKey, deadlines.receiptAt, record.deliveryId).pexpire(dueKey, ttl);
      if (record.userId !== "") tx.set(userKey(userScopeOf(record), record.userId), record.deliveryId, "PX", ttl);
      if (deadlines.conversionAt !== undefined) {
        tx.zadd(conversionDueKey, deadlines.conversionAt, record.deliveryId).pexpire(conversionDueKey, ttl);
      }
      const early = earlyKey(record.providerMessageId);
      const results = await tx.lrange(early, 0, -1).del(early).exec();
      failed(results);
      const held = results![results!.length - 2]![1] as string[];
      return held.map((h) => JSON.parse(h) as EarlyReceipt);
    },
    get: async (id) => parse(await redis.get(recordKey(id))),
    async find(index) {
      const key =
        index.kind === "provider"
          ? providerKey(index.providerMessageId)
          : index.kind === "key"
            ? idemKey(index.caller, index.idempotencyKey)
            : userKey(index.scope, index.userId);
      return (await redis.get(key)) ?? undefined;
    },
    update: (id, change) => update<DeliveryRecord>(recordKey(id), change),
    async holdEarly(receipt: CarrierReceipt, receivedAt: number) {
      const key = earlyKey(receipt.providerMessageId);
      failed(
        await redis
          .multi()
          .rpush(key, JSON.stringify({ receipt, receivedAt }))
          .ltrim(key, 0, maxEarlyPerId - 1)
          .pexpire(key, earlyTtl)
          .exec(),
      );
    },
    takeDue: (now, max, kind) => commands.otpDeliveryDue(kind === "receipt" ? dueKey : conversionDueKey, now, max),
  };
}

/** A transaction reports each command's error in its answer instead of rejecting: raise the first. */
function failed(results: Array<[Error | null, unknown]> | null): void {
  if (results === null) throw new Error("redis transaction was discarded");
  const error = results.find(([err]) => err)?.[0];
  if (error) throw error;
}
