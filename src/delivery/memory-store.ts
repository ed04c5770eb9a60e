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

/**
 * A record as this store holds it: every field in the object itself, in one order, so each
 * record is one compact object of one shape (a spread literal took three times the bytes).
 */
class Stored implements DeliveryRecord {
  readonly deliveryId: string;
  readonly provider: string;
  readonly providerMessageId: string;
  readonly channel: "sms" | "voice";
  readonly maskedPhone: string;
  readonly country: string;
  readonly caller: string;
  readonly purpose: string;
  readonly userId: string;
  readonly idempotencyKey: string;
  readonly traceId: string;
  readonly spanId: string;
  readonly acceptedAt: number;
  readonly updatedAt: number;
  readonly state: DeliveryRecord["state"];
  readonly providerState: string | undefined;
  readonly errorCode: string | undefined;
  readonly errorDescription: string | undefined;
  readonly price: number | undefined;
  readonly currency: string | undefined;
  readonly smsCount: number | undefined;
  readonly events: DeliveryRecord["events"];

  constructor(r: DeliveryRecord) {
    this.deliveryId = r.deliveryId;
    this.provider = r.provider;
    this.providerMessageId = r.providerMessageId;
    this.channel = r.channel;
    this.maskedPhone = r.maskedPhone;
    this.country = r.country;
    this.caller = r.caller;
    this.purpose = r.purpose;
    this.userId = r.userId;
    this.idempotencyKey = r.idempotencyKey;
    this.traceId = r.traceId;
    this.spanId = r.spanId;
    this.acceptedAt = r.acceptedAt;
    this.updatedAt = r.updatedAt;
    this.state = r.state;
    this.providerState = r.providerState;
    this.errorCode = r.errorCode;
    this.errorDescription = r.errorDescription;
    this.price = r.price;
    this.currency = r.currency;
    this.smsCount = r.smsCount;
    this.events = r.events;
  }
}

class Kept {
  constructor(
    readonly id: string,
    readonly providerMessageId: string,
    readonly caller: string,
    readonly key: string | undefined,
    readonly acceptedAt: number,
    readonly dueAt: number,
  ) {}
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
  const records = new Map<string, Stored>();
  const byProvider = new Map<string, string>();
  // Idempotency keys per caller: no key joined to its caller's name for each send.
  const byKey = new Map<string, Map<string, string>>();
  // What forgetting a record needs, kept beside it: eviction parses nothing.
  const order = new Ring<Kept>(options.maxRecords);
  // One queue per channel: each channel's deadline is a fixed time after acceptance, so each
  // queue is in deadline order and the sweep looks only at its front.
  const dues = { sms: new Ring<Kept>(options.maxRecords), voice: new Ring<Kept>(options.maxRecords) };
  const early = new Map<string, Early>();
  const earlyOrder = new Ring<string>(options.maxEarly ?? 10_000);
  const earlyTtlMs = options.earlyTtlMs ?? 10 * 60_000;
  const keysOf = (caller: string) => {
    const keys = byKey.get(caller) ?? new Map<string, string>();
    if (keys.size === 0) byKey.set(caller, keys);
    return keys;
  };

  const read = (id: string): DeliveryRecord | undefined => records.get(id);

  function forget(kept: Kept | undefined): void {
    if (!kept) return;
    records.delete(kept.id);
    if (byProvider.get(kept.providerMessageId) === kept.id) byProvider.delete(kept.providerMessageId);
    if (kept.key === undefined) return;
    const keys = byKey.get(kept.caller);
    if (keys?.get(kept.key) === kept.id) keys.delete(kept.key);
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
      const { deliveryId: id, providerMessageId } = record;
      const key = record.idempotencyKey === "" ? undefined : record.idempotencyKey;
      const kept = new Kept(id, providerMessageId, record.caller, key, record.acceptedAt, dueAt);
      forget(order.push(kept));
      records.set(id, new Stored(record));
      byProvider.set(providerMessageId, id);
      if (key !== undefined) keysOf(record.caller).set(key, id);
      dues[record.channel].push(kept);
      // The oldest records also leave once past their retention, not only at the cap.
      const oldest = now() - options.retentionMs;
      for (let first = order.peek(); first && first.acceptedAt <= oldest; first = order.peek()) forget(order.shift());
      return takeEarly(record.providerMessageId);
    },
    get: async (id) => live(read(id)),
    async find(index) {
      return index.kind === "provider"
        ? byProvider.get(index.providerMessageId)
        : byKey.get(index.caller)?.get(index.idempotencyKey);
    },
    async update(id, change) {
      const current = live(read(id));
      if (!current) return undefined;
      const next = change(current);
      if (next) records.set(id, new Stored(next));
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
        for (let next = due.peek(); next && next.dueAt <= at && ids.length < max; next = due.peek()) {
          due.shift();
          if (records.has(next.id)) ids.push(next.id);
        }
      }
      return ids;
    },
    size: () => ({ records: records.size, early: early.size, due: dues.sms.length + dues.voice.length }),
  };
}
