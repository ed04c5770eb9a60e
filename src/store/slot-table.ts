/**
 * A fixed number of numbered slots, each owned by one key, the least recently used key giving
 * its slot up when a new key needs one. Every operation is O(1): the recency order is a doubly
 * linked list kept in two typed arrays, so nothing is ever scanned and a slot's data can live in
 * the caller's typed arrays, indexed by slot, off the JS heap.
 *
 * A `Map` is used only for lookups and is never iterated: iterating a Map that keys churn
 * through walks the deleted entries V8 has not compacted yet, which is what made the old
 * stores' eviction cost grow with their age.
 */
export class SlotTable {
  private readonly slots = new Map<string, number>();
  private readonly owners: Array<string | undefined>;
  private readonly newer: Int32Array;
  private readonly older: Int32Array;
  /** Most recently used slot, or -1. */
  private head = -1;
  /** Least recently used slot, or -1. */
  private tail = -1;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError("capacity must be a positive integer");
    this.owners = new Array<string | undefined>(capacity).fill(undefined);
    this.newer = new Int32Array(capacity).fill(-1);
    this.older = new Int32Array(capacity).fill(-1);
  }

  get size(): number {
    return this.slots.size;
  }

  /** The key's slot, now the most recently used; undefined if the key has none. */
  find(key: string): number | undefined {
    const slot = this.slots.get(key);
    if (slot !== undefined) this.touch(slot);
    return slot;
  }

  /**
   * A slot for a key that has none (check with `find` first), taken from the least recently
   * used key when every slot is owned. The caller resets the slot's data.
   */
  take(key: string): number {
    let slot: number;
    if (this.slots.size < this.capacity) {
      slot = this.slots.size;
    } else {
      slot = this.tail;
      this.slots.delete(this.owners[slot]!);
      this.unlink(slot);
    }
    this.owners[slot] = key;
    this.slots.set(key, slot);
    this.pushFront(slot);
    return slot;
  }

  clear(): void {
    this.slots.clear();
    this.owners.fill(undefined);
    this.head = -1;
    this.tail = -1;
  }

  private touch(slot: number): void {
    if (slot === this.head) return;
    this.unlink(slot);
    this.pushFront(slot);
  }

  private unlink(slot: number): void {
    const newer = this.newer[slot]!;
    const older = this.older[slot]!;
    if (newer >= 0) this.older[newer] = older;
    else this.head = older;
    if (older >= 0) this.newer[older] = newer;
    else this.tail = newer;
  }

  private pushFront(slot: number): void {
    this.newer[slot] = -1;
    this.older[slot] = this.head;
    if (this.head >= 0) this.newer[this.head] = slot;
    this.head = slot;
    if (this.tail < 0) this.tail = slot;
  }
}
