import { SlotTable } from "./slot-table.js";

/** Buckets per window: a refusal can last up to 1/16 of the window longer than an exact log's. */
export const bucketsPerWindow = 16;
const ring = bucketsPerWindow + 1;

/**
 * Hit counts per key for one limit, in buckets of 1/16 of the window, held in typed arrays (17
 * counters as wide as the limit needs and one bucket number a key: about 50 bytes with the
 * table's for a limit under 256, 66 under 65,536; none on the JS heap).
 *
 * A count covers the current bucket and the 16 before it, a span between one window and one
 * window plus a bucket long. Every hit of the last `windowMs` is in it, so admitting only while
 * the count is under the limit never lets more than `limit` hits into any window of
 * `windowMs`; the price is that a hit leaves the count up to one bucket after it left the
 * window, so a refused sender may wait up to `windowMs / 16` longer than with an exact log.
 */
export class WindowCounters {
  private readonly table: SlotTable;
  private readonly counts: Uint8Array | Uint16Array | Uint32Array;
  /** The newest bucket each slot has counted in. */
  private readonly latest: Float64Array;
  private readonly bucketMs: number;

  /** `limit` bounds every count (nothing is recorded at the limit), so it picks the counter width. */
  constructor(windowMs: number, limit: number, capacity: number) {
    this.table = new SlotTable(capacity);
    const cells = capacity * ring;
    this.counts =
      limit <= 0xff ? new Uint8Array(cells) : limit <= 0xffff ? new Uint16Array(cells) : new Uint32Array(cells);
    this.latest = new Float64Array(capacity);
    this.bucketMs = windowMs / bucketsPerWindow;
  }

  get size(): number {
    return this.table.size;
  }

  /** Hits counted for `key` (a hash53 of the key) at `now`; a key never hit, or forgotten, has none. */
  count(key: number, now: number): number {
    const slot = this.table.find(key);
    return slot === undefined ? 0 : this.sum(slot, this.firstCounted(slot, this.bucketOf(now)));
  }

  /** Milliseconds from `now` until fewer than `limit` hits are counted for `key`; 0 if already. */
  msUntilBelow(key: number, limit: number, now: number): number {
    const slot = this.table.find(key);
    if (slot === undefined) return 0;
    const first = this.firstCounted(slot, this.bucketOf(now));
    let total = this.sum(slot, first);
    if (total < limit) return 0;
    for (let b = first; b <= this.latest[slot]!; b++) {
      total -= this.counts[this.cell(slot, b)]!;
      // Bucket b stops being counted once the current bucket is b + 17.
      if (total < limit) return Math.max(1, Math.ceil((b + ring) * this.bucketMs - now));
    }
    return Math.max(1, Math.ceil(this.bucketMs));
  }

  /** Counts one hit for `key` at `now`, taking a slot (the least recently used) if it has none. */
  record(key: number, now: number): void {
    const current = this.bucketOf(now);
    let slot = this.table.find(key);
    if (slot === undefined) {
      slot = this.table.take(key);
      this.counts.fill(0, slot * ring, slot * ring + ring);
      this.latest[slot] = current;
    }
    const latest = this.latest[slot]!;
    // Buckets between the last counted one and now start from zero; a ring's worth at most.
    for (let b = latest + 1; b <= Math.min(current, latest + ring); b++) this.counts[this.cell(slot, b)] = 0;
    if (current > latest) this.latest[slot] = current;
    this.counts[this.cell(slot, Math.max(current, latest))]! += 1;
  }

  clear(): void {
    this.table.clear();
  }

  /** Where bucket `b` of `slot` is counted: the ring wraps every 17 buckets. */
  private cell(slot: number, b: number): number {
    return slot * ring + (((b % ring) + ring) % ring);
  }

  private bucketOf(now: number): number {
    return Math.floor(now / this.bucketMs);
  }

  private sum(slot: number, first: number): number {
    let total = 0;
    for (let b = first; b <= this.latest[slot]!; b++) total += this.counts[this.cell(slot, b)]!;
    return total;
  }

  /** The oldest bucket still counted at `current` that this slot's ring holds. */
  private firstCounted(slot: number, current: number): number {
    return Math.max(current - bucketsPerWindow, this.latest[slot]! - bucketsPerWindow);
  }
}
