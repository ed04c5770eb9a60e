import type { CarrierReceipt, DeliveryRecord } from "./record.js";

/** How one send is looked up besides its delivery id. */
export type DeliveryIndex =
  | { readonly kind: "provider"; readonly providerMessageId: string }
  /** An idempotency key is the caller's own: the same key of two callers is two sends. */
  | { readonly kind: "key"; readonly caller: string; readonly idempotencyKey: string }
  /** The latest send to one person (Okta's userId) in a scope (record.ts userScopeOf), for conversions. */
  | { readonly kind: "user"; readonly scope: string; readonly userId: string };

/** When a record's waits end: for a final receipt, and (when it is judged) for its code's use. */
export interface Deadlines {
  readonly receiptAt: number;
  /** Undefined when nothing will report whether the code was used: it is then never judged. */
  readonly conversionAt?: number;
}

/** Which wait a sweep takes the ended ones of. */
export type DueKind = "receipt" | "conversion";

/** A receipt taken before its record existed. */
export interface EarlyReceipt {
  readonly receipt: CarrierReceipt;
  readonly receivedAt: number;
}

/** A change to a record: the record to store, or undefined to leave it as it is. */
export type RecordChange = (current: DeliveryRecord) => DeliveryRecord | undefined;

/**
 * Where delivery records live: this process's memory, or Redis shared by every replica. Records
 * and their indexes expire `retentionMs` after acceptance (8x8 sends no receipt after 48 h).
 */
export interface DeliveryStore {
  /**
   * Stores a new record and its indexes and schedules its receipt deadline at `dueAt`. Returns
   * the receipts that came for its carrier id before it (`holdEarly`), now forgotten there.
   */
  create(record: DeliveryRecord, deadlines: Deadlines): Promise<EarlyReceipt[]>;
  get(deliveryId: string): Promise<DeliveryRecord | undefined>;
  find(index: DeliveryIndex): Promise<string | undefined>;
  /**
   * Changes a record atomically: `change` sees the stored record and may run again if another
   * replica changed it meanwhile. Returns the record as stored after, undefined when absent.
   */
  update(deliveryId: string, change: RecordChange): Promise<DeliveryRecord | undefined>;
  /** Keeps a receipt that came before its record, for a few minutes, for `create` to hand back. */
  holdEarly(receipt: CarrierReceipt, receivedAt: number): Promise<void>;
  /**
   * Up to `max` records whose receipt deadline is past, each handed to exactly one caller
   * (one replica) and not again.
   */
  takeDue(now: number, max: number, kind: DueKind): Promise<string[]>;
  /** What is held in memory, for the bounds test; undefined for a shared store. */
  size?(): { records: number; early: number; due: number };
}
