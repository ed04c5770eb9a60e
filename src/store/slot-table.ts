import { SlotIndex } from "./slot-index.js";

/**
 * A fixed number of numbered slots, each owned by one key (given as its hash53, computed once
 * by the caller however many tables it asks), the least recently used key giving
 * its slot up when a new key needs one. Every operation is O(1) and nothing lives on the JS
 * heap: a key is kept as a 53-bit hash of its text in an open-addressing table (slot-index.ts),
 * and the recency order is a doubly linked list, all in typed arrays. The
 * caller keeps a slot's data in its own typed arrays, indexed by slot.
 *
 * The garbage collector never sees a key: with a `Map`, every limited number's key string was
 * promoted to the old generation and marked on every full collection, and a `Map` that keys
 * churn through rehashes itself all at once now and then.
 *
 * Two keys whose hashes collide share a slot. At 53 bits, among a million keys that happens
 * with a chance of about one in ten million, and store keys are themselves hashes no caller
 * chooses.
 */
export class SlotTable {
  /** Hash → the slot its key owns. */
  private readonly index: SlotIndex;
  private readonly newer: Int32Array;
  private readonly older: Int32Array;
  /** Slots given back by `remove`, taken again before any other. */
  private readonly free: Int32Array;
  private freeCount = 0;
  /** Most recently used slot, or -1. */
  private head = -1;
  /** Least recently used slot, or -1. */
  private tail = -1;
  private used = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError("capacity must be a positive integer");
    this.index = new SlotIndex(capacity);
    this.newer = new Int32Array(capacity).fill(-1);
    this.older = new Int32Array(capacity).fill(-1);
    this.free = new Int32Array(capacity);
  }

  get size(): number {
    return this.used - this.freeCount;
  }

  /** The slot of the key whose hash (hash53) is `hash`, now the most recently used; undefined if none. */
  find(hash: number): number | undefined {
    const slot = this.index.find(hash);
    if (slot < 0) return undefined;
    this.touch(slot);
    return slot;
  }

  /**
   * A slot for a key that has none (check with `find` first), taken from the least recently
   * used key when every slot is owned. The caller resets the slot's data.
   */
  take(hash: number): number {
    let slot: number;
    if (this.freeCount > 0) {
      slot = this.free[--this.freeCount]!;
    } else if (this.used < this.capacity) {
      slot = this.used++;
    } else {
      slot = this.tail;
      this.index.remove(slot);
      this.unlink(slot);
    }
    this.index.put(slot, hash);
    this.pushFront(slot);
    return slot;
  }

  /** Gives up `slot` (owned, as `find` or `take` returned it): its key is no longer found. */
  remove(slot: number): void {
    this.index.remove(slot);
    this.unlink(slot);
    this.free[this.freeCount++] = slot;
  }

  clear(): void {
    this.index.clear();
    this.used = 0;
    this.freeCount = 0;
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

/** cyrb53 (bryc's public-domain string hash): 53 well-mixed bits of a string's UTF-16 code units. */
export function hash53(text: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}
