import { Ring } from "../ring.js";
import { userScopeOf } from "./record.js";
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
  // Per caller, no key joined to its caller's name for each send.
  const byKey = new CallerIndex();
  const byUser = new CallerIndex();
  const order = new Ring<StoredRecord>(options.maxRecords);
  // One queue per channel: each channel's deadline is a fixed time after acceptance, so each
  // queue is in deadline order and the sweep looks only at its front.
  const dues = { sms: new Ring<StoredRecord>(options.maxRecords), voice: new Ring<StoredRecord>(options.maxRecords) };
  const conversionDues = new Ring<StoredRecord>(options.maxRecords);
  const early = new EarlyReceipts(options.maxEarly ?? 10_000, options.earlyTtlMs ?? 10 * 60_000, now);

  function forget(stored: StoredRecord | undefined): void {
    if (!stored || records.get(stored.deliveryId) !== stored) return;
    const { deliveryId: id, providerMessageId, idempotencyKey: key } = stored;
    records.delete(id);
    if (byProvider.get(providerMessageId) === id) byProvider.delete(providerMessageId);
    byKey.forget(stored.caller, key, id);
    byUser.forget(userScopeOf(stored), stored.userId, id);
  }

  const live = (record: StoredRecord | undefined) =>
    record && now() - record.acceptedAt < options.retentionMs ? record : undefined;

  return {
    async create(input, deadlines) {
      // The stored copy's strings, not the request's, are the ones the indexes keep.
      const record = new StoredRecord(input, deadlines);
      const { deliveryId: id, providerMessageId, idempotencyKey: key } = record;
      forget(order.push(record));
      records.set(id, record);
      byProvider.set(providerMessageId, id);
      byKey.set(record.caller, key, id);
      byUser.set(userScopeOf(record), record.userId, id);
      dues[record.channel].push(record);
      if (record.conversionDueAt !== undefined) conversionDues.push(record);
      // The oldest records also leave once past their retention, not only at the cap.
      const oldest = now() - options.retentionMs;
      for (let first = order.peek(); first && first.acceptedAt <= oldest; first = order.peek()) forget(order.shift());
      return early.take(record.providerMessageId);
    },
    get: async (id) => live(records.get(id))?.snapshot(),
    async find(index) {
      if (index.kind === "provider") return byProvider.get(index.providerMessageId);
      return index.kind === "key"
        ? byKey.get(index.caller, index.idempotencyKey)
        : byUser.get(index.scope, index.userId);
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
    holdEarly: async (receipt, receivedAt) => early.hold(receipt, receivedAt),
    async takeDue(at, max, kind) {
      const ids: string[] = [];
      const queues = kind === "receipt" ? [dues.sms, dues.voice] : [conversionDues];
      const dueOf = (r: StoredRecord) => (kind === "receipt" ? r.dueAt : (r.conversionDueAt ?? 0));
      for (const due of queues) {
        for (let next = due.peek(); next && dueOf(next) <= at && ids.length < max; next = due.peek()) {
          due.shift();
          if (records.get(next.deliveryId) === next) ids.push(next.deliveryId);
        }
      }
      return ids;
    },
    size: () => ({ records: records.size, early: early.size(), due: dues.sms.length + dues.voice.length }),
  };
}

/** Ids by caller, then by a string of the caller's (an idempotency key, a user id). */
class CallerIndex {
  private readonly byCaller = new Map<string, Map<string, string>>();

  set(caller: string, key: string, id: string): void {
    if (key === "") return;
    let ids = this.byCaller.get(caller);
    if (!ids) {
      ids = new Map();
      this.byCaller.set(caller, ids);
    }
    ids.set(key, id);
  }

  get(caller: string, key: string): string | undefined {
    return this.byCaller.get(caller)?.get(key);
  }

  /** Forgets `key` if it still names `id` (a later send may have taken it over). */
  forget(caller: string, key: string, id: string): void {
    const ids = this.byCaller.get(caller);
    if (key !== "" && ids?.get(key) === id) ids.delete(key);
  }
}

/**
 * Receipts that came before their record, a few per carrier id, for a few minutes, at most
 * `maxIds` ids (the oldest forgotten first).
 */
class EarlyReceipts {
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
