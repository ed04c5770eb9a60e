import { Redis } from "ioredis";
import type { Logger } from "pino";
import type { IdempotencyRecord, IdempotencyStore, RecordedOutcome } from "./idempotency-store.js";
import type { RateLimitDecision, RateLimitStore } from "./rate-limit-store.js";

export interface RedisStoreOptions {
  readonly url: string;
  /** Prefix of every key, so several gateways (or other apps) can share one Redis. */
  readonly prefix: string;
  /** Each command's bound; the hook budget must hold when Redis is slow or gone. */
  readonly timeoutMs: number;
  readonly logger: Logger;
}

export interface RedisStores {
  /** The one connection every store of this gateway shares (with OTP_STORE_PREFIX on each key). */
  readonly connection: Redis;
  readonly idempotency: IdempotencyStore;
  readonly rateLimits: RateLimitStore;
  /** Resolves once connected, or after `timeoutMs` (the gateway starts either way). */
  ready(timeoutMs: number): Promise<boolean>;
  health(): { readonly kind: "redis"; readonly connected: boolean };
  close(): Promise<void>;
}

// Claim a key unless it exists; otherwise return what it holds. Values are "p|<fingerprint>"
// while the first request is in flight and "s|<fingerprint>|<outcome json>" once it answered.
const claimScript = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return false end
return redis.call('GET', KEYS[1])`;

// Forget an in-flight claim, never a recorded answer.
const releaseScript = `
local v = redis.call('GET', KEYS[1])
if v and string.sub(v, 1, 2) == 'p|' then redis.call('DEL', KEYS[1]) end
return 1`;

// Sliding-window log per rule in a sorted set scored by time. All rules are checked before any
// is recorded, so a refused send uses up nothing. Redis's clock is used so that replicas with
// skewed clocks still share one timeline. Returns {0, 0} when allowed, else {rule index,
// milliseconds until the oldest hit leaves the window}.
const rateLimitScript = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
for i, key in ipairs(KEYS) do
  local limit = tonumber(ARGV[2 * i])
  local window = tonumber(ARGV[2 * i + 1])
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  if redis.call('ZCARD', key) >= limit then
    local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
    return {i, tonumber(oldest[2]) + window - now}
  end
end
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, now, ARGV[1])
  redis.call('PEXPIRE', key, tonumber(ARGV[2 * i + 1]))
end
return {0, 0}`;

/** Idempotency and rate limits shared by every gateway replica through one Redis. */
export function createRedisStores(options: RedisStoreOptions): RedisStores {
  const redis = new Redis(options.url, {
    keyPrefix: options.prefix,
    commandTimeout: options.timeoutMs,
    connectTimeout: 2_000,
    maxRetriesPerRequest: 1,
    // Fail at once while disconnected instead of queueing past the hook's budget.
    enableOfflineQueue: false,
    retryStrategy: (times) => Math.min(times * 200, 2_000),
  });
  let connected = false;
  redis.on("ready", () => {
    connected = true;
    options.logger.info("redis store connected");
  });
  redis.on("close", () => {
    if (connected) options.logger.warn("redis store connection lost");
    connected = false;
  });
  redis.on("error", (err: Error) => options.logger.debug({ err: err.message }, "redis store error"));
  redis.defineCommand("otpClaim", { numberOfKeys: 1, lua: claimScript });
  redis.defineCommand("otpRelease", { numberOfKeys: 1, lua: releaseScript });
  // No fixed key count: the first argument says how many keys (rules) follow.
  redis.defineCommand("otpRateLimit", { lua: rateLimitScript });

  const commands = redis as unknown as {
    otpClaim(key: string, value: string, ttlMs: number): Promise<string | null>;
    otpRelease(key: string): Promise<number>;
    otpRateLimit(numberOfKeys: number, ...keysAndArgs: Array<string | number>): Promise<[number, number]>;
  };
  const idemKey = (key: string) => `idem:${key}`;

  function parse(value: string | null): IdempotencyRecord | undefined {
    if (value === null) return undefined;
    if (value.startsWith("p|")) return { fingerprint: value.slice(2) };
    const sep = value.indexOf("|", 2);
    return { fingerprint: value.slice(2, sep), outcome: JSON.parse(value.slice(sep + 1)) as RecordedOutcome };
  }

  const idempotency: IdempotencyStore = {
    async claim(key, fingerprint, ttlMs) {
      const existing = parse(await commands.otpClaim(idemKey(key), `p|${fingerprint}`, ttlMs));
      return existing ? { claimed: false, record: existing } : { claimed: true };
    },
    async settle(key, outcome, ttlMs) {
      const current = parse(await redis.get(idemKey(key)));
      const fingerprint = current?.fingerprint ?? "";
      await redis.set(idemKey(key), `s|${fingerprint}|${JSON.stringify(outcome)}`, "PX", ttlMs);
    },
    async release(key) {
      await commands.otpRelease(idemKey(key));
    },
    async wait(key, timeoutMs, signal) {
      // Another replica holds the claim, so there is nothing local to wait on: poll.
      // Backed off (25 ms doubling to 400 ms), so a crowd of waiting repeats costs Redis a few
      // reads a second each rather than forty.
      const deadline = Date.now() + timeoutMs;
      for (let pause = 25; ; pause = Math.min(pause * 2, 400)) {
        const record = parse(await redis.get(idemKey(key)));
        if (record === undefined || record.outcome) return record;
        if (Date.now() >= deadline || signal?.aborted) return undefined;
        await new Promise((r) => setTimeout(r, Math.min(pause, Math.max(1, deadline - Date.now()))));
      }
    },
  };

  const rateLimits: RateLimitStore = {
    async hit(rules, id) {
      const args: Array<string | number> = [id];
      for (const rule of rules) args.push(rule.limit, rule.windowMs);
      const [index, retryAfterMs] = await commands.otpRateLimit(rules.length, ...rules.map((r) => r.key), ...args);
      if (index === 0) return { allowed: true } satisfies RateLimitDecision;
      return { allowed: false, rule: rules[index - 1]!.name, retryAfterMs: Math.max(1, retryAfterMs) };
    },
  };

  return {
    connection: redis,
    idempotency,
    rateLimits,
    ready: (timeoutMs) =>
      connected
        ? Promise.resolve(true)
        : new Promise((resolve) => {
            const timer = setTimeout(() => resolve(false), timeoutMs);
            redis.once("ready", () => {
              clearTimeout(timer);
              resolve(true);
            });
          }),
    health: () => ({ kind: "redis", connected }),
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
