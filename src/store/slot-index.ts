/**
 * An index from 53-bit key hashes (slot-table.ts's hash53) to numbered slots, at most one slot
 * per hash, in typed arrays: open addressing with linear probing, at most half full, deletion
 * by shifting later entries back (no tombstones). Every operation is O(1) on average and
 * nothing lives on the JS heap. Empty means 0 (a bucket holds its slot + 1, a slot its hash + 1),
 * so a large index costs no memory until it is used: no page is written at allocation.
 */
export class SlotIndex {
  private readonly buckets: Int32Array;
  private readonly mask: number;
  /** Slot → 1 + the hash it is indexed under, or 0 when it is not indexed. */
  private readonly hashes: Float64Array;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError("capacity must be a positive integer");
    const bucketCount = 2 ** Math.ceil(Math.log2(capacity * 2));
    this.buckets = new Int32Array(bucketCount);
    this.mask = bucketCount - 1;
    this.hashes = new Float64Array(capacity);
  }

  /** The slot indexed under `hash`, or -1. */
  find(hash: number): number {
    for (let b = this.home(hash); ; b = (b + 1) & this.mask) {
      const slot = this.buckets[b]! - 1;
      if (slot < 0 || this.hashes[slot] === hash + 1) return slot;
    }
  }

  /**
   * Indexes `slot` (not indexed now) under `hash`. A slot already indexed under the same hash
   * loses its entry to it: the latest holder of a key is the one found.
   */
  put(slot: number, hash: number): void {
    let b = this.home(hash);
    for (; this.buckets[b] !== 0; b = (b + 1) & this.mask) {
      const held = this.buckets[b]! - 1;
      if (this.hashes[held] === hash + 1) {
        this.hashes[held] = 0;
        break;
      }
    }
    this.buckets[b] = slot + 1;
    this.hashes[slot] = hash + 1;
  }

  /** Takes `slot` out of the index; nothing happens if it is not indexed (or lost its key to another). */
  remove(slot: number): void {
    const hash = this.hashes[slot]! - 1;
    if (hash < 0) return;
    this.hashes[slot] = 0;
    let hole = this.home(hash);
    while (this.buckets[hole] !== slot + 1) hole = (hole + 1) & this.mask;
    for (let b = (hole + 1) & this.mask; this.buckets[b] !== 0; b = (b + 1) & this.mask) {
      const home = this.home(this.hashes[this.buckets[b]! - 1]! - 1);
      // An entry may fill the hole only if its home is not cyclically within (hole, b].
      const staysPut = hole <= b ? hole < home && home <= b : hole < home || home <= b;
      if (staysPut) continue;
      this.buckets[hole] = this.buckets[b]!;
      hole = b;
    }
    this.buckets[hole] = 0;
  }

  clear(): void {
    this.buckets.fill(0);
    this.hashes.fill(0);
  }

  private home(hash: number): number {
    return (hash >>> 0) & this.mask;
  }
}
