import type { RateLimitRule } from "../policy/limits.js";

export type { RateLimitRule } from "../policy/limits.js";

export type RateLimitDecision =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly rule: string; readonly retryAfterMs: number };

/**
 * Sliding-window limits: a hit is allowed only if every rule has had fewer than `limit` hits in
 * the last `windowMs`; then (and only then) it is recorded against every rule, atomically.
 * Unlike a fixed window, this never lets 2× the limit through around a window's edge.
 */
export interface RateLimitStore {
  hit(rules: readonly RateLimitRule[], id: string): Promise<RateLimitDecision>;
}

export interface MemoryRateLimitStoreOptions {
  readonly now?: () => number;
  /** Keys tracked at most; expired ones are swept first, then the oldest. */
  readonly maxKeys?: number;
}

interface Window {
  readonly times: number[];
  readonly windowMs: number;
}

/**
 * Sliding-window log in one process: the hit times of each key, at most `limit` of them.
 * Aggregate counters (per country, global) are few and never forgotten; per-subject keys (per
 * number, per user) are capped at `maxKeys`, the oldest forgotten first when a flood of
 * distinct numbers would pass it.
 */
export function createMemoryRateLimitStore(
  options: MemoryRateLimitStoreOptions = {},
): RateLimitStore & { size(): number; clear(): void } {
  const now = options.now ?? Date.now;
  const maxKeys = options.maxKeys ?? 200_000;
  const aggregates = new Map<string, Window>();
  const subjects = new Map<string, Window>();
  let sinceSweep = 0;
  const mapOf = (rule: RateLimitRule) => (rule.aggregate ? aggregates : subjects);

  function sweepExpired(at: number) {
    for (const [key, entry] of subjects) {
      if (entry.times.length === 0 || entry.times[entry.times.length - 1]! <= at - entry.windowMs) subjects.delete(key);
    }
  }

  return {
    async hit(rules) {
      const at = now();
      for (const rule of rules) {
        const entry = mapOf(rule).get(rule.key);
        if (!entry) continue;
        const times = entry.times;
        while (times.length > 0 && times[0]! <= at - rule.windowMs) times.shift();
        if (times.length >= rule.limit) {
          return { allowed: false, rule: rule.name, retryAfterMs: Math.max(1, times[0]! + rule.windowMs - at) };
        }
      }
      for (const rule of rules) {
        const map = mapOf(rule);
        const entry = map.get(rule.key);
        if (entry) entry.times.push(at);
        else map.set(rule.key, { times: [at], windowMs: rule.windowMs });
      }
      // A full scan now and then drops expired keys; past the cap the oldest keys go at once,
      // so a flood of distinct numbers costs neither unbounded memory nor a scan per send.
      if (++sinceSweep >= 1000) {
        sinceSweep = 0;
        sweepExpired(at);
      }
      for (const key of subjects.keys()) {
        if (subjects.size <= maxKeys) break;
        subjects.delete(key);
      }
      return { allowed: true };
    },
    size: () => subjects.size + aggregates.size,
    clear: () => {
      subjects.clear();
      aggregates.clear();
    },
  };
}
