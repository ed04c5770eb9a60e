import { Ring } from "../ring.js";
import type { VerificationStore } from "./store.js";
import { stateAt, type VerificationRecord } from "./verification.js";

export interface MemoryVerificationStoreOptions {
  /** Verifications kept at most; past it the oldest is forgotten. */
  readonly maxRecords: number;
  readonly now?: () => number;
}

/** Verifications in this process: one at a time changes them, so each change is atomic. */
export function createMemoryVerificationStore(options: MemoryVerificationStoreOptions): VerificationStore {
  const now = options.now ?? Date.now;
  const records = new Map<string, { record: VerificationRecord; keepUntil: number }>();
  const index = new Map<string, string>();
  const order = new Ring<string>(options.maxRecords);

  const live = (id: string | undefined) => {
    const held = id === undefined ? undefined : records.get(id);
    return held && held.keepUntil > now() ? held.record : undefined;
  };
  function forget(id: string | undefined): void {
    const held = id === undefined ? undefined : records.get(id);
    if (!held) return;
    records.delete(held.record.id);
    if (index.get(held.record.indexKey) === held.record.id) index.delete(held.record.indexKey);
  }

  return {
    async create(record, keepUntil) {
      const holder = index.get(record.indexKey);
      const held = live(holder);
      // Only a pending one holds its key: after an approval or expiry a start begins afresh.
      if (held && stateAt(held, now()) === "pending") return { created: false, id: holder! };
      forget(order.push(record.id));
      records.set(record.id, { record, keepUntil });
      index.set(record.indexKey, record.id);
      // Records leave in the order they came; the front ones also once past their time.
      for (let id = order.peek(); id !== undefined && !live(id); id = order.peek()) forget(order.shift());
      return { created: true };
    },
    get: async (id) => live(id),
    async find(indexKey) {
      const id = index.get(indexKey);
      return live(id) ? id : undefined;
    },
    async update(id, change) {
      const held = records.get(id);
      const current = live(id);
      if (!held || !current) return undefined;
      const next = change(current);
      if (next) records.set(id, { record: next, keepUntil: held.keepUntil });
      return next ?? current;
    },
    async remove(record) {
      forget(record.id);
    },
    size: () => records.size,
  };
}
