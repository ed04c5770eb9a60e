/** Bytes each record keeps for its JSON (record-codec.ts): ~420 accepted, ~560 after its receipts. */
export const textBytesPerRecord = 640;

// Records' bytes are allocated this many slots at a time, as the table fills: a large cap
// costs nothing until it is reached.
const slotsPerChunk = 4096;

/** When a record waits for nothing, in the tables of deadlines. */
const none = Number.NaN;

/**
 * Delivery records in typed arrays and byte chunks, so a kept record is nothing the garbage
 * collector has to copy, promote or mark (as objects, 5,000 records cost the heap ~20 MB).
 *
 * The table is a ring: a record is added at the back and leaves from the front (at the cap, or
 * past its retention, as the store decides), so its slot is its place in the ring and the ring
 * is its age order. A slot's generation moves on each time it takes a record, so a queue of
 * deadlines can tell a slot's record from the one before. A record's JSON that does not fit its
 * bytes (a storm of receipts' events) is kept on the heap for that record.
 */
export class RecordTable {
  private readonly generations: Uint32Array;
  private readonly accepted: Float64Array;
  private readonly receiptDue: Float64Array;
  private readonly conversionDue: Float64Array;
  /** Bytes of the slot's JSON; 0 when it is spilled. */
  private readonly lengths: Uint16Array;
  private readonly chunks: Buffer[] = [];
  private readonly spilled = new Map<number, string>();
  private first = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError("capacity must be a positive integer");
    this.generations = new Uint32Array(capacity);
    this.accepted = new Float64Array(capacity);
    this.receiptDue = new Float64Array(capacity);
    this.conversionDue = new Float64Array(capacity);
    this.lengths = new Uint16Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  get full(): boolean {
    return this.count === this.capacity;
  }

  /** The oldest record's slot; -1 when empty. */
  get oldest(): number {
    return this.count === 0 ? -1 : this.first;
  }

  /**
   * Adds a record at the back (the table must not be full) and returns its slot. Its receipt
   * and conversion deadlines are kept for the sweep; undefined is none.
   */
  add(text: string, acceptedAt: number, receiptAt: number, conversionAt: number | undefined): number {
    if (this.full) throw new RangeError("the record table is full");
    const slot = (this.first + this.count) % this.capacity;
    this.count += 1;
    this.generations[slot] = (this.generations[slot]! + 1) >>> 0;
    this.accepted[slot] = acceptedAt;
    this.receiptDue[slot] = receiptAt;
    this.conversionDue[slot] = conversionAt ?? none;
    this.write(slot, text);
    return slot;
  }

  /** Forgets the oldest record. */
  removeOldest(): void {
    if (this.count === 0) return;
    this.spilled.delete(this.first);
    this.first = (this.first + 1) % this.capacity;
    this.count -= 1;
  }

  /** Whether `slot` holds the record it held at `generation`. */
  holds(slot: number, generation: number): boolean {
    // A slot holds a record when it lies in the ring's span, from its oldest record on.
    const age = (slot - this.first + this.capacity) % this.capacity;
    return age < this.count && this.generations[slot] === generation;
  }

  generation(slot: number): number {
    return this.generations[slot]!;
  }

  acceptedAt(slot: number): number {
    return this.accepted[slot]!;
  }

  /** When the slot's record waits `kind` until; NaN when it waits for no conversion. */
  dueAt(slot: number, kind: "receipt" | "conversion"): number {
    return kind === "receipt" ? this.receiptDue[slot]! : this.conversionDue[slot]!;
  }

  /** The slot's record's JSON. */
  text(slot: number): string {
    const length = this.lengths[slot]!;
    if (length === 0) return this.spilled.get(slot) ?? "";
    const start = (slot % slotsPerChunk) * textBytesPerRecord;
    return this.chunkOf(slot).toString("utf8", start, start + length);
  }

  /** Replaces the slot's record's JSON (its deadlines stay). */
  write(slot: number, text: string): void {
    this.spilled.delete(slot);
    // UTF-8 is never shorter than UTF-16, so most misfits are seen without writing. JSON.stringify's
    // text is well-formed (a lone surrogate is escaped), so it survives UTF-8 unchanged.
    const length = text.length > textBytesPerRecord || text.length === 0 ? 0 : this.tryWrite(slot, text);
    this.lengths[slot] = length;
    if (length === 0) this.spilled.set(slot, text);
  }

  /** Writes the text into the slot's bytes in one pass; 0 when it does not fit. */
  private tryWrite(slot: number, text: string): number {
    const written = this.chunkOf(slot).write(text, (slot % slotsPerChunk) * textBytesPerRecord, textBytesPerRecord);
    // A write stops short only for want of room, and never more than a character's 4 bytes short.
    if (written < textBytesPerRecord - 3) return written;
    return Buffer.byteLength(text, "utf8") === written ? written : 0;
  }

  private chunkOf(slot: number): Buffer {
    const index = Math.floor(slot / slotsPerChunk);
    let chunk = this.chunks[index];
    if (!chunk) {
      const slots = Math.min(slotsPerChunk, this.capacity - index * slotsPerChunk);
      chunk = Buffer.alloc(slots * textBytesPerRecord);
      this.chunks[index] = chunk;
    }
    return chunk;
  }
}
