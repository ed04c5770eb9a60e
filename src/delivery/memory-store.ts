import { Ring } from "../ring.js";
import type { DeliveryStore, EarlyReceipt } from "./store.js";
import { StoredRecord } from "./stored-record.js";

export interface MemoryDeliveryStoreOptions {
  /** Records kept at most; past it the oldest is forgotten (DELIVERY_MAX_RECORDS). */
  readonly maxRecords: number;
  /** How long a record lives after acceptance. */
  readonly retentionMs: number;
  /** Carrier ids with early receipts kept at most, and for how long. */
  readonly maxEarly?: number;
  readonly earlyTtlMs?: number;
  readonly now?: () => number;
}

interface Early {
  readonly receipts: EarlyReceipt[];
  readonly until: number;
}

// Receipts per carrier id kept before the record exists: a DLR and its repeats, at most.
const maxEarlyPerId = 8;

/**
 * Delivery records in this process. Records are forgotten in the order they were made: at the
 * cap, or once past their retention. Each record's indexes leave with it.
 */
export function createMemoryDeliveryStore(options: MemoryDeliveryStoreOptions): DeliveryStore {
  const now = options.now ?? Date.now;
  const records = new Map<string, StoredRecord>();
  const byProvider = new Map<string, string>();
  // Idempotency keys per caller: no key joined to its caller's name for each send.
  const byKey = new Map<string, Map<string, string>>();
  const order = new Ring<StoredRecord>(options.maxRecords);
  // One queue per channel: each channel's deadline is a fixed time after acceptance, so each
  // queue is in deadline order and the sweep looks only at its front.
  const dues = { sms: new Ring<StoredRecord>(options.maxRecords), voice: new Ring<StoredRecord>(options.maxRecords) };
  const early = new Map<string, Early>();
  const earlyOrder = new Ring<string>(options.maxEarly ?? 10_000);
  const earlyTtlMs = options.earlyTtlMs ?? 10 * 60_000;
  const keysOf = (caller: string) => {
    const keys = byKey.get(caller) ?? new Map<string, string>();
    if (keys.size === 0) byKey.set(caller, keys);
    return keys;
  };

  function forget(stored: StoredRecord | undefined): void {
    if (!stored || records.get(stored.deliveryId) !== stored) return;
    const { deliveryId: id, providerMessageId, idempotencyKey: key } = stored;
    records.delete(id);
    if (byProvider.get(providerMessageId) === id) byProvider.delete(providerMessageId);
    const keys = byKey.get(stored.caller);
    if (key !== "" && keys?.get(key) === id) keys.delete(key);
  }

  function takeEarly(providerMessageId: string): EarlyReceipt[] {
    const held = early.get(providerMessageId);
    if (!held) return [];
    early.delete(providerMessageId);
    return held.until > now() ? held.receipts : [];
  }

  const live = (record: StoredRecord | undefined) =>
    record && now() - record.acceptedAt < options.retentionMs ? record : undefined;

  return {
    async create(input, dueAt) {
      // The stored copy's strings, not the request's, are the ones the indexes keep.
      const record = new StoredRecord(input, dueAt);
      const { deliveryId: id, providerMessageId, idempotencyKey: key } = record;
      forget(order.push(record));
      records.set(id, record);
      byProvider.set(providerMessageId, id);
      if (key !== "") keysOf(record.caller).set(key, id);
      dues[record.channel].push(record);
      // The oldest records also leave once past their retention, not only at the cap.
      const oldest = now() - options.retentionMs;
      for (let first = order.peek(); first && first.acceptedAt <= oldest; first = order.peek()) forget(order.shift());
      return takeEarly(record.providerMessageId);
    },
    get: async (id) => live(records.get(id))?.snapshot(),
    async find(index) {
      return index.kind === "provider"
        ? byProvider.get(index.providerMessageId)
        : byKey.get(index.caller)?.get(index.idempotencyKey);
    },
    async update(id, change) {
      const stored = live(records.get(id));
      if (!stored) return undefined;
      const current = stored.snapshot();
      const next = change(current);
      if (!next) return current;
      stored.moveTo(next);
      return stored.snapshot();
    },
    async holdEarly(receipt, receivedAt) {
      const id = receipt.providerMessageId;
      const held = early.get(id);
      if (held && held.until > now()) {
        if (held.receipts.length < maxEarlyPerId) held.receipts.push({ receipt, receivedAt });
        return;
      }
      const dropped = earlyOrder.push(id);
      if (dropped !== undefined && dropped !== id) early.delete(dropped);
      early.set(id, { receipts: [{ receipt, receivedAt }], until: now() + earlyTtlMs });
    },
    async takeDue(at, max) {
      const ids: string[] = [];
      for (const due of [dues.sms, dues.voice]) {
        for (let next = due.peek(); next && next.dueAt <= at && ids.length < max; next = due.peek()) {
          due.shift();
          if (records.get(next.deliveryId) === next) ids.push(next.deliveryId);
        }
      }
      return ids;
    },
    size: () => ({ records: records.size, early: early.size, due: dues.sms.length + dues.voice.length }),
  };
}
