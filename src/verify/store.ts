import type { VerificationRecord } from "./verification.js";

/** A change to a record: the record to store, or undefined to leave it. May run more than once. */
export type VerificationChange = (current: VerificationRecord) => VerificationRecord | undefined;

/**
 * Where verifications live: memory, or Redis shared by every replica. Each record, and the index
 * entry that finds it for resends, lives until `keepUntil` (its expiry and a grace period).
 */
export interface VerificationStore {
  /**
   * Stores a new record and makes it the pending one of its `indexKey`, unless another live one
   * holds that: then nothing is stored and its id is returned.
   */
  create(record: VerificationRecord, keepUntil: number): Promise<{ created: true } | { created: false; id: string }>;
  get(id: string): Promise<VerificationRecord | undefined>;
  /** The verification last made for this index key, if it is still kept. */
  find(indexKey: string): Promise<string | undefined>;
  /** Changes a record atomically across replicas; returns it as stored after, undefined when absent. */
  update(id: string, change: VerificationChange): Promise<VerificationRecord | undefined>;
  /** Forgets a record whose first send failed (and its index entry, if it still names it). */
  remove(record: VerificationRecord): Promise<void>;
  /** Records held in memory, for the bounds test; undefined for a shared store. */
  size?(): number;
}
