import { ownString } from "../own-string.js";
import { SlotRing } from "./slot-ring.js";
import { SlotTable } from "./slot-table.js";

/** Bytes each key keeps for its fingerprint and its outcome's JSON (an ok answer takes ~180). */
export const textBytesPerKey = 224;

const empty = 0;
const inFlight = 1;
const settled = 2;

/** A key's text that does not fit its bytes (or would not survive UTF-8), kept on the heap. */
interface Spilled {
  readonly fingerprint: string;
  outcome: string | undefined;
}

/** What a key holds: its fingerprint and, once settled, its outcome's JSON. */
export interface TableEntry {
  readonly fingerprint: string;
  readonly outcome: string | undefined;
}

/**
 * The idempotency keys of one process in typed arrays and one byte arena, so a remembered key
 * is nothing the garbage collector has to copy, promote or mark: at a few thousand sends a
 * second a key lives for seconds, long enough to be promoted and then die in the old
 * generation, which V8 keeps at half as much again as what is live; as objects and strings
 * a key took about 380 bytes of heap.
 *
 * Keys are found by a 53-bit hash of their text (slot-table.ts's hash53, which the caller
 * computes once per call). They leave in the order they were claimed, when expired or past the
 * cap: every key gets the same TTL (a settle pushes it back by only the send's duration), so
 * claim order is expiry order and a ring of claims finds what to drop in O(1). A claim dropped
 * early stays in the ring until its turn and is skipped then (its slot's generation has moved
 * on); the ring holds twice the cap.
 */
export class IdempotencyTable {
  private readonly slots: SlotTable;
  private readonly state: Uint8Array;
  private readonly generation: Uint32Array;
  private readonly expires: Float64Array;
  private readonly fingerprintLength: Uint8Array;
  private readonly outcomeLength: Uint8Array;
  private readonly text: Buffer;
  private readonly spilled = new Map<number, Spilled>();
  /** The claims in claim order. */
  private readonly order: SlotRing;

  constructor(readonly capacity: number) {
    this.slots = new SlotTable(capacity);
    this.state = new Uint8Array(capacity);
    this.generation = new Uint32Array(capacity);
    this.expires = new Float64Array(capacity);
    this.fingerprintLength = new Uint8Array(capacity);
    this.outcomeLength = new Uint8Array(capacity);
    this.text = Buffer.alloc(capacity * textBytesPerKey);
    this.order = new SlotRing(capacity * 2);
  }

  get size(): number {
    return this.slots.size;
  }

  /** The live slot of the key whose hash53 is `hash`, or undefined (an expired key is dropped on the way). */
  find(hash: number, at: number, dropped: (slot: number) => void): number | undefined {
    const slot = this.slots.find(hash);
    if (slot === undefined) return undefined;
    if (this.expires[slot]! > at) return slot;
    this.drop(slot, dropped);
    return undefined;
  }

  /** A new in-flight slot for the key hashed `hash` (it has none), once what expired or is over the cap is dropped. */
  claim(hash: number, fingerprint: string, expiresAt: number, at: number, dropped: (slot: number) => void): number {
    this.dropFront(at, dropped);
    const slot = this.slots.take(hash);
    this.state[slot] = inFlight;
    this.generation[slot] = (this.generation[slot]! + 1) >>> 0;
    this.expires[slot] = expiresAt;
    this.outcomeLength[slot] = 0;
    const length = this.write(slot, 0, fingerprint);
    if (length < 0) this.spilled.set(slot, { fingerprint: ownString(fingerprint), outcome: undefined });
    else this.fingerprintLength[slot] = length;
    this.enqueue(slot, dropped);
    return slot;
  }

  settle(slot: number, outcome: string, expiresAt: number): void {
    this.state[slot] = settled;
    this.expires[slot] = expiresAt;
    const spilled = this.spilled.get(slot);
    if (spilled) {
      spilled.outcome = ownString(outcome);
      return;
    }
    const length = this.write(slot, this.fingerprintLength[slot]!, outcome);
    if (length >= 0) this.outcomeLength[slot] = length;
    else this.spilled.set(slot, { fingerprint: this.entry(slot).fingerprint, outcome: ownString(outcome) });
  }

  isSettled(slot: number): boolean {
    return this.state[slot] === settled;
  }

  /** Whether a ring entry's claim still owns its slot (its generation has not moved on). */
  private holds(slot: number, generation: number): boolean {
    return this.state[slot] !== empty && this.generation[slot] === generation;
  }

  entry(slot: number): TableEntry {
    const spilled = this.spilled.get(slot);
    if (spilled) return spilled;
    const start = slot * textBytesPerKey;
    const end = start + this.fingerprintLength[slot]!;
    return {
      fingerprint: this.text.toString("utf8", start, end),
      outcome:
        this.state[slot] === settled ? this.text.toString("utf8", end, end + this.outcomeLength[slot]!) : undefined,
    };
  }

  /** Frees `slot`; `dropped` (its waiters) runs before the slot can go to another key. */
  drop(slot: number, dropped: (slot: number) => void): void {
    this.slots.remove(slot);
    this.state[slot] = empty;
    this.spilled.delete(slot);
    dropped(slot);
  }

  clear(dropped: (slot: number) => void): void {
    for (let slot = 0; slot < this.capacity; slot++) if (this.state[slot] !== empty) this.drop(slot, dropped);
    this.order.clear();
  }

  /** UTF-8 bytes of `text` written at `offset` of the slot's bytes; -1 if they do not fit. */
  private write(slot: number, offset: number, text: string): number {
    const room = Math.min(textBytesPerKey - offset, 255);
    // A UTF-8 encoding is never shorter than the UTF-16 one, so most misfits are seen for free.
    if (text.length > room || !text.isWellFormed()) return -1;
    const length = Buffer.byteLength(text, "utf8");
    if (length > room) return -1;
    this.text.write(text, slot * textBytesPerKey + offset, length, "utf8");
    return length;
  }

  private enqueue(slot: number, dropped: (slot: number) => void): void {
    if (this.order.full) this.shiftFront(dropped);
    this.order.push(slot, this.generation[slot]!);
  }

  /** Drops the oldest claims while they have expired or leave no slot for a new one. */
  private dropFront(at: number, dropped: (slot: number) => void): void {
    while (this.order.length > 0) {
      const slot = this.order.slot;
      const live = this.holds(slot, this.order.generation);
      if (live && this.expires[slot]! > at && this.slots.size < this.capacity) return;
      this.shiftFront(dropped);
    }
  }

  private shiftFront(dropped: (slot: number) => void): void {
    const slot = this.order.slot;
    if (this.holds(slot, this.order.generation)) this.drop(slot, dropped);
    this.order.shift();
  }
}
