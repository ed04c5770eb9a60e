import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import {
  createJsonUpdate
} from "./chunk-QXD7Z256.js";
import "./chunk-ALWFP5YV.js";

// src/verify/redis-store.ts
var createScript = `
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
var removeScript = `
redis.call('DEL', KEYS[1])
if redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('DEL', KEYS[2]) end
return 1`;
var maxRounds = 64;
function createRedisVerificationStore(redis, options) {
  redis.defineCommand("otpVerifyCreate", { numberOfKeys: 2, lua: createScript });
  redis.defineCommand("otpVerifyRemove", { numberOfKeys: 2, lua: removeScript });
  const commands = redis;
  const update = createJsonUpdate(redis, maxRounds);
  const now = options.now ?? Date.now;
  const recordKey = (id) => `vfy:${id}`;
  const indexKey = (key) => `vfy-i:${key}`;
  const parse = (text) => text === null ? void 0 : JSON.parse(text);
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
        now()
      );
      return holder === null ? { created: true } : { created: false, id: holder };
    },
    get: async (id) => parse(await redis.get(recordKey(id))),
    find: async (key) => await redis.get(indexKey(key)) ?? void 0,
    update: (id, change) => update(recordKey(id), change),
    async remove(record) {
      await commands.otpVerifyRemove(recordKey(record.id), indexKey(record.indexKey), record.id);
    }
  };
}
export {
  createRedisVerificationStore
};
//# sourceMappingURL=redis-store-JUEZNDSC.js.map
