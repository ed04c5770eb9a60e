import type { Redis } from "ioredis";
import type { ConversionGuard, GuardSettings } from "../policy/conversion-guard.js";

const recheckMs = 1_000;

// Keeps the last ARGV[2] outcomes ("1" converted, "0" not) per country and, once the sample is
// full and its share of "1" below ARGV[3], starts the cool-down (only if none runs: once).
const recordScript = `
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

/** The conversion guard shared by every replica through Redis (a list and a cool-down key per country). */
export function createRedisConversionGuard(
  redis: Redis,
  settings: GuardSettings,
  now: () => number = Date.now,
): ConversionGuard {
  redis.defineCommand("otpGuardRecord", { numberOfKeys: 2, lua: recordScript });
  const commands = redis as unknown as {
    otpGuardRecord(list: string, cool: string, ...args: Array<string | number>): Promise<number>;
  };
  // Each send asks; Redis is asked at most once a second per country (a cool-down another
  // replica starts is seen here within that second).
  const known = new Map<string, { until: number; checkedAt: number }>();
  return {
    async blockedFor(country) {
      const at = now();
      const cached = known.get(country);
      if (!cached || at - cached.checkedAt >= recheckMs) {
        const left = await redis.pttl(`fg-cool:${country}`);
        if (known.size >= 512 && !cached) known.clear();
        known.set(country, { until: left > 0 ? at + left : 0, checkedAt: at });
      }
      const left = (known.get(country)?.until ?? 0) - at;
      return left > 0 ? left : undefined;
    },
    async record(country, converted) {
      const tripped = await commands.otpGuardRecord(
        `fg:${country}`,
        `fg-cool:${country}`,
        converted ? "1" : "0",
        settings.sample,
        settings.minConversion,
        settings.cooldownMs,
      );
      // This replica sees its own trip at once.
      if (tripped === 1) known.set(country, { until: now() + settings.cooldownMs, checkedAt: now() });
      return tripped === 1;
    },
  };
}
