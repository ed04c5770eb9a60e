import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createMemoryIdempotencyStore } from "../src/store/idempotency-store.js";
import { createMemoryRateLimitStore } from "../src/store/rate-limit-store.js";
import { hash53, SlotTable } from "../src/store/slot-table.js";
import { bucketsPerWindow, WindowCounters } from "../src/store/window-counters.js";

describe("the slot table", () => {
  it("gives up the least recently used key's slot when full, and only then", () => {
    const table = new SlotTable(3);
    const a = table.take(hash53("a"));
    table.take(hash53("b"));
    table.take(hash53("c"));
    expect(table.find(hash53("a"))).toBe(a); // a is now the most recently used; b the least
    const d = table.take(hash53("d"));
    expect(table.find(hash53("b"))).toBeUndefined();
    expect(table.find(hash53("a"))).toBe(a);
    expect(new Set([a, d, table.find(hash53("c"))]).size).toBe(3);
    expect(table.size).toBe(3);
  });

  it("keeps its order right through any mix of lookups and new keys", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 400 }),
        fc.integer({ min: 1, max: 20 }),
        (ops, cap) => {
          const table = new SlotTable(cap);
          const model: string[] = []; // least recently used first
          for (const n of ops) {
            const key = `k${n}`;
            const found = table.find(hash53(key));
            expect(found !== undefined).toBe(model.includes(key));
            if (found === undefined) {
              if (model.length === cap) model.shift();
              table.take(hash53(key));
            } else model.splice(model.indexOf(key), 1);
            model.push(key);
            expect(table.size).toBe(model.length);
          }
          for (const key of model) expect(table.find(hash53(key))).toBeDefined();
        },
      ),
    );
  });
});

describe("the slot table's removals", () => {
  it("forgets a removed key and gives its slot to the next new key before evicting anyone", () => {
    const table = new SlotTable(2);
    const a = table.take(hash53("a"));
    table.take(hash53("b"));
    table.remove(a);
    expect(table.find(hash53("a"))).toBeUndefined();
    expect(table.size).toBe(1);
    expect(table.take(hash53("c"))).toBe(a);
    expect(table.find(hash53("b"))).toBeDefined(); // nobody was evicted for c
    expect(table.size).toBe(2);
  });
});

describe("windowed counters", () => {
  const windowMs = 16_000;

  it("never admit more than the limit in any window, and refuse at most a bucket longer than an exact log", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 3_000 }), { minLength: 1, maxLength: 200 }),
        fc.integer({ min: 1, max: 8 }),
        (gaps, limit) => {
          const counters = new WindowCounters(windowMs, limit, 4);
          const k = hash53("k");
          const admitted: number[] = [];
          let now = 1_000_000;
          for (const gap of gaps) {
            now += gap;
            const inWindow = admitted.filter((t) => t > now - windowMs).length;
            if (counters.count(k, now) < limit) {
              counters.record(k, now);
              admitted.push(now);
              expect(inWindow + 1).toBeLessThanOrEqual(limit);
            } else {
              // Refused: an exact log would have refused too, or would have admitted only
              // because a hit left the window less than one bucket ago.
              const longerAgo = admitted.filter((t) => t > now - windowMs - windowMs / bucketsPerWindow).length;
              expect(longerAgo).toBeGreaterThanOrEqual(limit);
              const wait = counters.msUntilBelow(k, limit, now);
              expect(wait).toBeGreaterThan(0);
              expect(counters.count(k, now + wait)).toBeLessThan(limit);
              if (wait > 1) expect(counters.count(k, now + wait - 1)).toBeGreaterThanOrEqual(limit);
            }
          }
        },
      ),
    );
  });

  it("forget counts older than the window however long a key sat idle", () => {
    const counters = new WindowCounters(windowMs, 10, 2);
    const k = hash53("k");
    for (let i = 0; i < 5; i++) counters.record(k, 1000 + i);
    expect(counters.count(k, 1004)).toBe(5);
    expect(counters.count(k, 1000 + windowMs + windowMs / bucketsPerWindow)).toBe(0);
    counters.record(k, 10 * windowMs);
    expect(counters.count(k, 10 * windowMs)).toBe(1);
  });
});

describe("the in-memory limit store", () => {
  it("records nothing for a refused hit, so a refusal does not extend the wait", async () => {
    let clock = 0;
    const store = createMemoryRateLimitStore({ now: () => clock });
    const rules = [
      { name: "phone", key: "a", limit: 2, windowMs: 16_000 },
      { name: "global", key: "g", limit: 3, windowMs: 16_000, aggregate: true },
    ];
    expect(await store.hit(rules, "1")).toEqual({ allowed: true });
    expect(await store.hit(rules, "2")).toEqual({ allowed: true });
    // Both hits sit in the first 1 s bucket, counted until the 17th bucket begins.
    expect(await store.hit(rules, "3")).toEqual({ allowed: false, rule: "phone", retryAfterMs: 17_000 });
    // The global rule was not charged for the refused hit.
    expect(await store.hit([rules[1]!], "4")).toEqual({ allowed: true });
    clock = 16_999;
    expect((await store.hit(rules, "5")).allowed).toBe(false);
    clock = 17_000;
    expect(await store.hit([rules[0]!], "6")).toEqual({ allowed: true });
  });

  it("stays bounded under a flood of distinct numbers, keeping the numbers hit most recently", async () => {
    const store = createMemoryRateLimitStore({ maxKeys: 500 });
    const phone = (key: string) => ({ name: "phone", key, limit: 1, windowMs: 600_000 });
    await store.hit([phone("busy")], "0");
    for (let i = 0; i < 5000; i++) {
      await store.hit([phone(`k${i}`)], String(i));
      // A number under attack is hit again and again, so it stays remembered.
      if (i % 400 === 0) expect((await store.hit([phone("busy")], "x")).allowed).toBe(false);
    }
    expect(store.size()).toBe(500);
    expect((await store.hit([phone("k0")], "y")).allowed).toBe(true); // forgotten long ago
  });

  it("never forgets the global and per-country counters, however many numbers pass", async () => {
    const store = createMemoryRateLimitStore({ maxKeys: 1_000 });
    const global = { name: "global", key: "rl:global:all", limit: 20_000, windowMs: 3_600_000, aggregate: true };
    const country = { name: "country", key: "rl:country:GB", limit: 30_000, windowMs: 3_600_000, aggregate: true };
    let allowed = 0;
    for (let i = 0; i < 30_000; i++) {
      const phone = { name: "phone", key: `rl:phone:${i}`, limit: 5, windowMs: 600_000 };
      if ((await store.hit([phone, country, global], String(i))).allowed) allowed += 1;
    }
    expect(allowed).toBe(20_000);
    expect(store.size()).toBeLessThanOrEqual(1_002);
  });
});

describe("the in-memory idempotency store", () => {
  it("drops the oldest claims past its cap, and skips keys released early", async () => {
    let clock = 0;
    const store = createMemoryIdempotencyStore({ maxEntries: 100, now: () => clock });
    for (let i = 0; i < 1000; i++) {
      expect((await store.claim(`k${i}`, "f", 60_000)).claimed).toBe(true);
      if (i % 3 === 0) await store.release(`k${i}`);
      clock += 1;
    }
    expect(store.size()).toBeLessThanOrEqual(100);
    expect((await store.claim("k998", "f", 60_000)).claimed).toBe(false);
    expect((await store.claim("k500", "f", 60_000)).claimed).toBe(true);
  });

  it("forgets a key claimed again after a release only when the new claim's turn comes", async () => {
    let clock = 0;
    const store = createMemoryIdempotencyStore({ maxEntries: 10, now: () => clock });
    await store.claim("a", "f", 1_000);
    await store.release("a");
    clock = 500;
    await store.claim("a", "f", 1_000);
    clock = 1_200; // the first claim's expiry: the second, live until 1,500, stays
    await store.claim("b", "f", 1_000);
    expect((await store.claim("a", "f", 1_000)).claimed).toBe(false);
    clock = 1_600;
    await store.claim("c", "f", 1_000);
    expect(store.size()).toBe(2);
  });

  it("replays an outcome too long for a key's bytes, and a fingerprint of any text, exactly", async () => {
    const store = createMemoryIdempotencyStore({ maxEntries: 4 });
    const message = `8x8 said: ${"é".repeat(300)}`;
    await store.claim("long", "f", 60_000);
    await store.settle("long", { kind: "error", code: 14, message }, 60_000);
    await store.claim("odd", "fp-\ud800", 60_000);
    expect(await store.claim("long", "f", 60_000)).toEqual({
      claimed: false,
      record: { fingerprint: "f", outcome: { kind: "error", code: 14, message } },
    });
    expect(await store.claim("odd", "x", 60_000)).toEqual({ claimed: false, record: { fingerprint: "fp-\ud800" } });
  });

  it("tells a waiter nothing when its key left and another key took the slot", async () => {
    let clock = 0;
    const store = createMemoryIdempotencyStore({ maxEntries: 1, now: () => clock });
    await store.claim("a", "f", 1_000);
    const waiting = store.wait("a", 50);
    clock = 2_000; // a has expired: b takes its slot and settles before the waiter gives up
    await store.claim("b", "f", 1_000);
    await store.settle("b", { kind: "ok", response: { deliveryId: "b" } }, 1_000);
    expect(await waiting).toBeUndefined();
  });
});
