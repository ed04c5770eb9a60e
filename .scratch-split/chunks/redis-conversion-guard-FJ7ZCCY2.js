import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import "./chunk-ALWFP5YV.js";

// src/store/redis-conversion-guard.ts
var recheckMs = 1e3;
var recordScript = `
redis.call('LPUSH', KEYS[1], ARGV[1])
redis.call('LTRIM', KEYS[1], 0, tonumber(ARGV[2]) - 1)
redis.call('PEXPIRE', KEYS[1], 86400000)
local outcomes = redis.call('LRANGE', KEYS[1], 0, -1)
if #outcomes < tonumber(ARGV[2]) then return 0 end
local converted = 0
for _, v in ipairs(outcomes) do if v == '1' then converted = converted + 1 end end
if converted / #outcomes >= tonumber(ARGV[3]) then return 0 end
if redis.call('SET', KEYS[2], '1', 'NX', 'PX', ARGV[4]) then return 1 end
return 0`;
function createRedisConversionGuard(redis, settings, now = Date.now) {
  redis.defineCommand("otpGuardRecord", { numberOfKeys: 2, lua: recordScript });
  const commands = redis;
  const known = /* @__PURE__ */ new Map();
  return {
    async blockedFor(country) {
      const at = now();
      const cached = known.get(country);
      if (!cached || at - cached.checkedAt >= recheckMs) {
        const left2 = await redis.pttl(`fg-cool:${country}`);
        if (known.size >= 512 && !cached) known.clear();
        known.set(country, { until: left2 > 0 ? at + left2 : 0, checkedAt: at });
      }
      const left = (known.get(country)?.until ?? 0) - at;
      return left > 0 ? left : void 0;
    },
    async record(country, converted) {
      const tripped = await commands.otpGuardRecord(
        `fg:${country}`,
        `fg-cool:${country}`,
        converted ? "1" : "0",
        settings.sample,
        settings.minConversion,
        settings.cooldownMs
      );
      if (tripped === 1) known.set(country, { until: now() + settings.cooldownMs, checkedAt: now() });
      return tripped === 1;
    }
  };
}
export {
  createRedisConversionGuard
};
//# sourceMappingURL=redis-conversion-guard-FJ7ZCCY2.js.map
