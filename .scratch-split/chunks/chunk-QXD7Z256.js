import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);

// src/store/redis-json.ts
var compareAndSetScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
  return 1
end
return 0`;
function createJsonUpdate(redis, maxRounds) {
  redis.defineCommand("otpJsonCas", { numberOfKeys: 1, lua: compareAndSetScript });
  const cas = redis;
  return async function update(key, change) {
    for (let round = 0; round < maxRounds; round++) {
      const text = await redis.get(key);
      if (text === null) return void 0;
      const current = JSON.parse(text);
      const next = change(current);
      if (next === void 0) return current;
      if (await cas.otpJsonCas(key, text, JSON.stringify(next)) === 1) return next;
    }
    throw new Error(`${key.split(":")[0]} kept changing under this update`);
  };
}

export {
  createJsonUpdate
};
//# sourceMappingURL=chunk-QXD7Z256.js.map
