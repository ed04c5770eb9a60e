import { Ring } from "../ring.js";
import type { DeliveryRecord } from "./record.js";
import type { DeliveryStore, EarlyReceipt } from "./store.js";

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
  const records = new Map<string, DeliveryRecord>();
  const byProvider = new Map<string, string>();
  const byKey = new Map<string, string>();
  const order = new Ring<string>(options.maxRecords);
  // One queue per channel: each channel's deadline is a fixed time after acceptance, so each
  // queue is in deadline order and the sweep looks only at its front.
  const dues = {
    sms: new Ring<{ id: string; at: number }>(options.maxRecords),
    voice: new Ring<{ id: string; at: number }>(options.maxRecords),
  };
  const early = new Map<string, Early>();
  const earlyOrder = new Ring<string>(options.maxEarly ?? 10_000);
  const earlyTtlMs = options.earlyTtlMs ?? 10 * 60_000;
  const keyOf = (caller: string, key: string) => `${caller}\u0000${key}`;

  function forget(id: string | undefined): void {
    const record = id === undefined ? undefined : records.get(id);
    if (!record) return;
    records.delete(record.deliveryId);
    if (byProvider.get(record.providerMessageId) === record.deliveryId) byProvider.delete(record.providerMessageId);
    const key = keyOf(record.caller, record.idempotencyKey);
    if (record.idempotencyKey !== "" && byKey.get(key) === record.deliveryId) byKey.delete(key);
  }

  function takeEarly(providerMessageId: string): EarlyReceipt[] {
    const held = early.get(providerMessageId);
    if (!held) return [];
    early.delete(providerMessageId);
    return held.until > now() ? held.receipts : [];
  }

  const live = (record: DeliveryRecord | undefined) =>
    record && now() - record.acceptedAt < options.retentionMs ? record : undefined;

  return {
    async create(record, dueAt) {
      forget(order.push(record.deliveryId));
      records.set(record.deliveryId, record);
      byProvider.set(record.providerMessageId, record.deliveryId);
      if (record.idempotencyKey !== "") byKey.set(keyOf(record.caller, record.idempotencyKey), record.deliveryId);
      dues[record.channel].push({ id: record.deliveryId, at: dueAt });
      // The oldest records also leave once past their retention, not only at the cap.
      for (let id = order.peek(); id !== undefined && !live(records.get(id)); id = order.peek()) {
        forget(order.shift());
      }
      return takeEarly(record.providerMessageId);
    },
    get: async (id) => live(records.get(id)),
    async find(index) {
      return index.kind === "provider"
        ? byProvider.get(index.providerMessageId)
        : byKey.get(keyOf(index.caller, index.idempotencyKey));
    },
    async update(id, change) {
      const current = live(records.get(id));
      if (!current) return undefined;
      const next = change(current);
      if (next) records.set(id, next);
      return next ?? current;
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
        for (let next = due.peek(); next && next.at <= at && ids.length < max; next = due.peek()) {
          due.shift();
          if (records.has(next.id)) ids.push(next.id);
        }
      }
      return ids;
    },
    size: () => ({ records: records.size, early: early.size, due: dues.sms.length + dues.voice.length }),
  };
}
