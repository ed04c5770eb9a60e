import type { Redis } from "ioredis";
import { createJsonUpdate } from "../store/redis-json.js";
import type { VerificationStore } from "./store.js";
import type { VerificationRecord } from "./verification.js";

// Makes the record the pending one of its index key unless a live pending one holds it (then
// returns that one's id). The holder's key is built here from the prefix: single Redis, not Cluster.
const createScript = `
local holder = redis.call('GET', KEYS[1])
if holder then
  local held = redis.call('GET', ARGV[4] .. 'vfy:' .. holder)
  if held then
    local r = cjson.decode(held)
    if r.state == 'pending' and r.expiresAt > tonumber(ARGV[5]) then return holder end
  end
end
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[3])
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
return false`;

const removeScript = `
redis.call('DEL', KEYS[1])
if redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('DEL', KEYS[2]) end
return 1`;

// Checks racing on one verification each retry from the winner's result; twenty at once settle
// within twenty rounds.
const maxRounds = 64;

interface Commands {
  otpVerifyCreate(index: string, record: string, ...args: Array<string | number>): Promise<string | null>;
  otpVerifyRemove(key: string, index: string, id: string): Promise<number>;
}

/** Verifications in Redis: JSON per record (no code, no number), an HMAC-named index entry. */
export function createRedisVerificationStore(
  redis: Redis,
  options: { readonly prefix: string; readonly now?: () => number },
): VerificationStore {
  redis.defineCommand("otpVerifyCreate", { numberOfKeys: 2, lua: createScript });
  redis.defineCommand("otpVerifyRemove", { numberOfKeys: 2, lua: removeScript });
  const commands = redis as unknown as Commands;
  const update = createJsonUpdate(redis, maxRounds);
  const now = options.now ?? Date.now;
  const recordKey = (id: string) => `vfy:${id}`;
  const indexKey = (key: string) => `vfy-i:${key}`;
  const parse = (text: string | null) => (text === null ? undefined : (JSON.parse(text) as VerificationRecord));

  return {
    async create(record, keepUntil) {
      const ttl = Math.max(1, Math.ceil(keepUntil - now()));
      const holder = await commands.otpVerifyCreate(
        indexKey(record.indexKey),
        recordKey(record.id),
        record.id,
        JSON.stringify(record),
        ttl,
        options.prefix,
        now(),
      );
      return holder === null ? { created: true } : { created: false, id: holder };
    },
    get: async (id) => parse(await redis.get(recordKey(id))),
    find: async (key) => (await redis.get(indexKey(key))) ?? undefined,
    update: (id, change) => update<VerificationRecord>(recordKey(id), change),
    async remove(record) {
      await commands.otpVerifyRemove(recordKey(record.id), indexKey(record.indexKey), record.id);
    },
  };
}
