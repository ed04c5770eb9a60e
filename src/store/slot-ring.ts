/**
 * A first-in first-out queue of fixed capacity of (slot, generation) pairs in typed arrays:
 * what a table queues to find its oldest entries in O(1) with nothing on the JS heap. The
 * generation tells an entry whose slot has since gone to another key from a live one.
 */
export class SlotRing {
  private readonly slots: Int32Array;
  private readonly generations: Uint32Array;
  private first = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError("capacity must be a positive integer");
    this.slots = new Int32Array(capacity);
    this.generations = new Uint32Array(capacity);
  }

  get length(): number {
    return this.count;
  }

  get full(): boolean {
    return this.count === this.capacity;
  }

  /** The oldest entry's slot; -1 when empty. */
  get slot(): number {
    return this.count === 0 ? -1 : this.slots[this.first]!;
  }

  /** The oldest entry's generation; 0 when empty. */
  get generation(): number {
    return this.count === 0 ? 0 : this.generations[this.first]!;
  }

  /** Appends an entry; on a full ring the oldest is overwritten (shift it first to look at it). */
  push(slot: number, generation: number): void {
    if (this.count === this.capacity) this.shift();
    const at = (this.first + this.count) % this.capacity;
    this.slots[at] = slot;
    this.generations[at] = generation;
    this.count += 1;
  }

  /** Drops the oldest entry. */
  shift(): void {
    if (this.count === 0) return;
    this.first = (this.first + 1) % this.capacity;
    this.count -= 1;
  }

  clear(): void {
    this.first = 0;
    this.count = 0;
  }
}
