import { Ring } from "../ring.js";
import type { EarlyReceipt } from "./store.js";

interface Early {
  readonly receipts: EarlyReceipt[];
  readonly until: number;
}

// Receipts per carrier id kept before the record exists: a DLR and its repeats, at most.
const maxEarlyPerId = 8;

/**
 * Receipts that came before their record, a few per carrier id, for a few minutes, at most
 * `maxIds` ids (the oldest forgotten first).
 */
export class EarlyReceipts {
  private readonly held = new Map<string, Early>();
  private readonly order: Ring<string>;

  constructor(
    maxIds: number,
    private readonly ttlMs: number,
    private readonly now: () => number,
  ) {
    this.order = new Ring<string>(maxIds);
  }

  hold(receipt: EarlyReceipt["receipt"], receivedAt: number): void {
    const id = receipt.providerMessageId;
    const held = this.held.get(id);
    if (held && held.until > this.now()) {
      if (held.receipts.length < maxEarlyPerId) held.receipts.push({ receipt, receivedAt });
      return;
    }
    const dropped = this.order.push(id);
    if (dropped !== undefined && dropped !== id) this.held.delete(dropped);
    this.held.set(id, { receipts: [{ receipt, receivedAt }], until: this.now() + this.ttlMs });
  }

  /** The receipts held for `providerMessageId`, forgotten once taken. */
  take(providerMessageId: string): EarlyReceipt[] {
    const held = this.held.get(providerMessageId);
    if (!held) return [];
    this.held.delete(providerMessageId);
    return held.until > this.now() ? held.receipts : [];
  }

  size(): number {
    return this.held.size;
  }
}
