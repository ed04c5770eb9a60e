import { SlotIndex } from "../store/slot-index.js";
import { SlotRing } from "../store/slot-ring.js";
import { hash53 } from "../store/slot-table.js";
import { EarlyReceipts } from "./early-receipts.js";
import type { DeliveryRecord } from "./record.js";
import { userScopeOf } from "./record.js";
import { decodeRecord, encodeRecord } from "./record-codec.js";
import { RecordTable } from "./record-table.js";
import type { DeliveryIndex, DeliveryStore, DueKind } from "./store.js";

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

/** A string of a caller's (an idempotency key, a user id) as one hash: the same key of two callers is two keys. */
const callerHash = (caller: string, key: string) => hash53(`${caller.length}:${caller}${key}`);

/**
 * Delivery records in this process, off the JS heap (record-table.ts). Records are forgotten in
 * the order they were made: at the cap, or once past their retention. Each index is a table of
 * 53-bit hashes to slots (slot-index.ts) and leaves with its record; a hit is checked against
 * the record it names, so a colliding hash finds nothing rather than another's record.
 */
export function createMemoryDeliveryStore(options: MemoryDeliveryStoreOptions): DeliveryStore {
  const now = options.now ?? Date.now;
  const cap = options.maxRecords;
  const table = new RecordTable(cap);
  const indexes = [new SlotIndex(cap), new SlotIndex(cap), new SlotIndex(cap), new SlotIndex(cap)] as const;
  const [byId, byProvider, byKey, byUser] = indexes;
  // One queue per channel: each channel's deadline is a fixed time after acceptance, so each
  // queue is in deadline order and the sweep looks only at its front.
  const dues = { sms: new SlotRing(cap), voice: new SlotRing(cap) };
  const conversionDues = new SlotRing(cap);
  const early = new EarlyReceipts(options.maxEarly ?? 10_000, options.earlyTtlMs ?? 10 * 60_000, now);

  /** Whether the slot's record is past its retention (it leaves at the next create). */
  const expired = (slot: number) => table.acceptedAt(slot) <= now() - options.retentionMs;

  function forgetOldest(): void {
    for (const index of indexes) index.remove(table.oldest);
    table.removeOldest();
  }

  /** The live record `index` holds under `hash`, if it is the one `matches` looks for. */
  function lookup(index: SlotIndex, hash: number, matches: (r: DeliveryRecord) => boolean) {
    const slot = index.find(hash);
    if (slot < 0 || expired(slot)) return undefined;
    const record = decodeRecord(table.text(slot));
    return matches(record) ? { slot, record } : undefined;
  }

  const byDeliveryId = (id: string) => lookup(byId, hash53(id), (r) => r.deliveryId === id);

  function find(index: DeliveryIndex) {
    if (index.kind === "provider") {
      const { providerMessageId: id } = index;
      return lookup(byProvider, hash53(id), (r) => r.providerMessageId === id);
    }
    if (index.kind === "key") {
      const { caller, idempotencyKey: key } = index;
      if (key === "") return undefined;
      return lookup(byKey, callerHash(caller, key), (r) => r.caller === caller && r.idempotencyKey === key);
    }
    const { scope, userId } = index;
    if (userId === "") return undefined;
    return lookup(byUser, callerHash(scope, userId), (r) => userScopeOf(r) === scope && r.userId === userId);
  }

  function takeDue(at: number, max: number, kind: DueKind): string[] {
    const ids: string[] = [];
    for (const due of kind === "receipt" ? [dues.sms, dues.voice] : [conversionDues]) {
      while (due.length > 0 && ids.length < max) {
        const slot = due.slot;
        // An entry whose record left (at the cap, or past retention) is dropped, whatever its time.
        if (table.holds(slot, due.generation)) {
          if (!(table.dueAt(slot, kind) <= at)) break;
          ids.push(decodeRecord(table.text(slot)).deliveryId);
        }
        due.shift();
      }
    }
    return ids;
  }

  return {
    async create(record, deadlines) {
      // The oldest records leave at the cap, and once past their retention.
      while (table.full || (table.size > 0 && expired(table.oldest))) forgetOldest();
      const slot = table.add(encodeRecord(record), record.acceptedAt, deadlines.receiptAt, deadlines.conversionAt);
      const generation = table.generation(slot);
      byId.put(slot, hash53(record.deliveryId));
      byProvider.put(slot, hash53(record.providerMessageId));
      if (record.idempotencyKey !== "") byKey.put(slot, callerHash(record.caller, record.idempotencyKey));
      if (record.userId !== "") byUser.put(slot, callerHash(userScopeOf(record), record.userId));
      dues[record.channel].push(slot, generation);
      if (deadlines.conversionAt !== undefined) conversionDues.push(slot, generation);
      return early.take(record.providerMessageId);
    },
    get: async (id) => byDeliveryId(id)?.record,
    find: async (index) => find(index)?.record.deliveryId,
    async update(id, change) {
      const found = byDeliveryId(id);
      if (!found) return undefined;
      const next = change(found.record);
      if (!next) return found.record;
      table.write(found.slot, encodeRecord(next));
      return next;
    },
    holdEarly: async (receipt, receivedAt) => early.hold(receipt, receivedAt),
    takeDue: async (at, max, kind) => takeDue(at, max, kind),
    size: () => ({ records: table.size, early: early.size(), due: dues.sms.length + dues.voice.length }),
  };
}
