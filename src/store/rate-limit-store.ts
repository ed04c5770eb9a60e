import type { RateLimitRule } from "../policy/limits.js";
import { hash53 } from "./slot-table.js";
import { WindowCounters } from "./window-counters.js";

export type { RateLimitRule } from "../policy/limits.js";

export type RateLimitDecision =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly rule: string; readonly retryAfterMs: number };

/**
 * Sliding-window limits: a hit is allowed only if every rule has had fewer than `limit` hits in
 * the last `windowMs`; then (and only then) it is recorded against every rule, atomically.
 * Unlike a fixed window, this never lets 2× the limit through around a window's edge.
 * Redis keeps an exact log per key; memory keeps counters that may refuse a little longer.
 */
export interface RateLimitStore {
  hit(rules: readonly RateLimitRule[], id: string): Promise<RateLimitDecision>;
}

export interface MemoryRateLimitStoreOptions {
  readonly now?: () => number;
  /** Keys each per-subject limit (per number, per user) remembers; the least recently hit go first. */
  readonly maxKeys?: number;
}

const allowed: RateLimitDecision = { allowed: true };

/** Keys an aggregate limit (per country, global) may hold: more than there are regions. */
const aggregateKeys = 4096;

/**
 * Windowed counters in one process (store/window-counters.ts: never more than `limit` hits in
 * any window, a refusal lasting up to 1/16 of the window longer than exactly). One table per
 * limit, each of a fixed size: when a per-subject table is full, the key hit least recently
 * gives its slot to the new one, so a number is forgotten only after `maxKeys` other numbers
 * have been hit since its own last hit. Aggregate tables are sized never to forget.
 */
export function createMemoryRateLimitStore(
  options: MemoryRateLimitStoreOptions = {},
): RateLimitStore & { size(): number; clear(): void } {
  const now = options.now ?? Date.now;
  const maxKeys = options.maxKeys ?? 50_000;
  // The hit's keys and tables: hit() never awaits, so one pair of scratch arrays serves every call.
  const keys: number[] = [];
  const hitTables: WindowCounters[] = [];
  // By rule name, then by setting: a rule's table is found without building a string per hit.
  const tables = new Map<string, { limit: number; windowMs: number; table: WindowCounters }[]>();
  const tableOf = (rule: RateLimitRule) => {
    const named = tables.get(rule.name) ?? [];
    if (named.length === 0) tables.set(rule.name, named);
    for (const entry of named) if (entry.limit === rule.limit && entry.windowMs === rule.windowMs) return entry.table;
    const table = new WindowCounters(rule.windowMs, rule.limit, rule.aggregate ? aggregateKeys : maxKeys);
    named.push({ limit: rule.limit, windowMs: rule.windowMs, table });
    return table;
  };
  const all = () => [...tables.values()].flat().map((entry) => entry.table);

  return {
    async hit(rules) {
      const at = now();
      for (let i = 0; i < rules.length; i++) {
        const rule = rules[i]!;
        const key = hash53(rule.key);
        const table = tableOf(rule);
        keys[i] = key;
        hitTables[i] = table;
        if (table.count(key, at) >= rule.limit) {
          return { allowed: false, rule: rule.name, retryAfterMs: table.msUntilBelow(key, rule.limit, at) };
        }
      }
      for (let i = 0; i < rules.length; i++) hitTables[i]!.record(keys[i]!, at);
      return allowed;
    },
    size: () => all().reduce((total, table) => total + table.size, 0),
    clear: () => {
      for (const table of all()) table.clear();
    },
  };
}
