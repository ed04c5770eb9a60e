import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SlotIndex } from "../src/store/slot-index.js";
import { SlotRing } from "../src/store/slot-ring.js";

describe("the slot index", () => {
  it("finds the latest slot put under a hash, and nothing once it is removed", () => {
    const index = new SlotIndex(4);
    expect(index.find(7)).toBe(-1);
    index.put(0, 7);
    index.put(1, 9);
    expect(index.find(7)).toBe(0);
    index.put(2, 7); // the same key again: slot 2 holds it now
    expect(index.find(7)).toBe(2);
    index.remove(0); // slot 0 lost its entry to 2: removing it changes nothing
    expect(index.find(7)).toBe(2);
    index.remove(2);
    expect(index.find(7)).toBe(-1);
    expect(index.find(9)).toBe(1);
  });

  it("agrees with a map through any mix of puts and removals, colliding homes included", () => {
    const capacity = 16;
    // A 32-bucket index: hashes 32 apart share a home, and homes 30, 31, 0, 1 make runs that wrap.
    const hashAt = (n: number) => (n % 4) * 32 + Math.floor(n / 4) + 30;
    const hash = fc.integer({ min: 0, max: 15 }).map(hashAt);
    const op = fc.oneof(
      fc.record({ put: fc.integer({ min: 0, max: capacity - 1 }), hash }),
      fc.record({ remove: fc.integer({ min: 0, max: capacity - 1 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const index = new SlotIndex(capacity);
        const slotOf = new Map<number, number>(); // hash → slot
        const hashOf = new Map<number, number>(); // slot → hash
        for (const o of ops) {
          if ("put" in o) {
            if (hashOf.has(o.put)) continue; // put takes a slot that is not indexed
            const previous = slotOf.get(o.hash);
            if (previous !== undefined) hashOf.delete(previous);
            index.put(o.put, o.hash);
            slotOf.set(o.hash, o.put);
            hashOf.set(o.put, o.hash);
          } else {
            index.remove(o.remove);
            const h = hashOf.get(o.remove);
            if (h !== undefined) slotOf.delete(h);
            hashOf.delete(o.remove);
          }
          for (let n = 0; n < 16; n++) expect(index.find(hashAt(n))).toBe(slotOf.get(hashAt(n)) ?? -1);
        }
      }),
      { numRuns: 400 },
    );
  });

  it("holds 53-bit hashes apart that share their low 32 bits", () => {
    const index = new SlotIndex(2);
    index.put(0, 2 ** 40 + 5);
    index.put(1, 5);
    expect(index.find(2 ** 40 + 5)).toBe(0);
    expect(index.find(5)).toBe(1);
    expect(index.find(2 ** 41 + 5)).toBe(-1);
  });
});

describe("the slot ring", () => {
  it("keeps pairs first in, first out, a full ring giving up its oldest", () => {
    const ring = new SlotRing(3);
    expect([ring.slot, ring.generation, ring.length]).toEqual([-1, 0, 0]);
    for (let i = 1; i <= 4; i++) ring.push(i * 10, i);
    expect(ring.full).toBe(true);
    const seen: number[][] = [];
    while (ring.length > 0) {
      seen.push([ring.slot, ring.generation]);
      ring.shift();
    }
    expect(seen).toEqual([
      [20, 2],
      [30, 3],
      [40, 4],
    ]);
    ring.shift(); // an empty ring stays empty
    ring.push(7, 1);
    expect([ring.slot, ring.length]).toEqual([7, 1]);
  });
});
