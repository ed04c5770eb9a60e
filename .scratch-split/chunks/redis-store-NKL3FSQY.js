import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  userScopeOf
} from "./chunk-J2VAX5L2.js";
import {
  createJsonUpdate
} from "./chunk-QXD7Z256.js";
import "./chunk-ALWFP5YV.js";

// src/delivery/redis-store.ts
import { hash } from "node:crypto";
var takeDueScript = `
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
if #ids > 0 then redis.call('ZREM', KEYS[1], unpack(ids)) end
return ids`;
var maxEarlyPerId = 8;
var maxRounds = 8;
function createRedisDeliveryStore(redis, options) {
  redis.defineCommand("otpDeliveryDue", { numberOfKeys: 1, lua: takeDueScript });
  const commands = redis;
  const update = createJsonUpdate(redis, maxRounds);
  const ttl = options.retentionMs;
  const earlyTtl = options.earlyTtlMs ?? 10 * 6e4;
  const recordKey = (id) => `dlv:${id}`;
  const providerKey = (id) => `dlv-p:${id}`;
  const idemKey = (caller, key) => `dlv-k:${caller}:${key}`;
  const earlyKey = (id) => `dlv-e:${id}`;
  const userKey = (scope, userId) => `dlv-u:${scope}:${hash("sha256", userId, "base64url")}`;
  const dueKey = "dlv-due";
  const conversionDueKey = "dlv-cdue";
  const parse = (text) => text === null ? void 0 : JSON.parse(text);
  return {
    async create(record, deadlines) {
      const tx = redis.multi().set(recordKey(record.deliveryId), JSON.stringify(record), "PX", ttl).set(providerKey(record.providerMessageId), record.deliveryId, "PX", ttl);
      if (record.idempotencyKey !== "") {
        tx.set(idemKey(record.caller, record.idempotencyKey), record.deliveryId, "PX", ttl);
      }
      tx.zadd(dueKey, deadlines.receiptAt, record.deliveryId).pexpire(dueKey, ttl);
      if (record.userId !== "") tx.set(userKey(userScopeOf(record), record.userId), record.deliveryId, "PX", ttl);
      if (deadlines.conversionAt !== void 0) {
        tx.zadd(conversionDueKey, deadlines.conversionAt, record.deliveryId).pexpire(conversionDueKey, ttl);
      }
      const early = earlyKey(record.providerMessageId);
      const results = await tx.lrange(early, 0, -1).del(early).exec();
      failed(results);
      const held = results[results.length - 2][1];
      return held.map((h) => JSON.parse(h));
    },
    get: async (id) => parse(await redis.get(recordKey(id))),
    async find(index) {
      const key = index.kind === "provider" ? providerKey(index.providerMessageId) : index.kind === "key" ? idemKey(index.caller, index.idempotencyKey) : userKey(index.scope, index.userId);
      return await redis.get(key) ?? void 0;
    },
    update: (id, change) => update(recordKey(id), change),
    async holdEarly(receipt, receivedAt) {
      const key = earlyKey(receipt.providerMessageId);
      failed(
        await redis.multi().rpush(key, JSON.stringify({ receipt, receivedAt })).ltrim(key, 0, maxEarlyPerId - 1).pexpire(key, earlyTtl).exec()
      );
    },
    takeDue: (now, max, kind) => commands.otpDeliveryDue(kind === "receipt" ? dueKey : conversionDueKey, now, max)
  };
}
function failed(results) {
  if (results === null) throw new Error("redis transaction was discarded");
  const error = results.find(([err]) => err)?.[0];
  if (error) throw error;
}
export {
  createRedisDeliveryStore
};
//# sourceMappingURL=redis-store-NKL3FSQY.js.map
