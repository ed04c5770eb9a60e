import type { JsonValue } from "@bufbuild/protobuf";
import { IdempotencyTable } from "./idempotency-table.js";
import { hash53 } from "./slot-table.js";

/** The answer recorded for an idempotency key, replayed to every repeat of the request. */
export type RecordedOutcome =
  | { readonly kind: "ok"; readonly response: JsonValue }
  | {
      readonly kind: "error";
      readonly code: number;
      readonly message: string;
      /** CarrierErrorDetail as JSON, when the carrier caused the error. */
      readonly detail?: JsonValue;
    };

export interface IdempotencyRecord {
  /** Hash of what was asked for; a repeat with another fingerprint is a different request. */
  readonly fingerprint: string;
  /** Undefined while the first request is still in flight. */
  readonly outcome?: RecordedOutcome;
}

export type ClaimResult = { readonly claimed: true } | { readonly claimed: false; readonly record: IdempotencyRecord };

/**
 * Makes a send happen at most once per key. Implementations must make `claim` atomic across
 * every gateway sharing the store.
 */
export interface IdempotencyStore {
  /** Records `key` as in flight unless it exists; otherwise returns what is recorded. */
  claim(key: string, fingerprint: string, ttlMs: number): Promise<ClaimResult>;
  /** Records the outcome for repeats; the entry lives `ttlMs` from now. */
  settle(key: string, outcome: RecordedOutcome, ttlMs: number): Promise<void>;
  /** Forgets an in-flight key whose send provably did not happen, so a repeat may try again. */
  release(key: string): Promise<void>;
  /**
   * Waits until an in-flight key is settled or released, or `timeoutMs` passes. Returns the
   * record if settled, undefined otherwise.
   */
  wait(key: string, timeoutMs: number, signal?: AbortSignal): Promise<IdempotencyRecord | undefined>;
}

export interface MemoryIdempotencyStoreOptions {
  /** Upper bound on remembered keys; the oldest go first, so a flood of ids cannot exhaust memory. */
  readonly maxEntries?: number;
  readonly now?: () => number;
}

/**
 * One process's idempotency memory (store/idempotency-table.ts: off the JS heap, oldest claim
 * first when expired or at the cap). Waiters exist only while a repeat waits for the first
 * request's answer.
 */
export function createMemoryIdempotencyStore(
  options: MemoryIdempotencyStoreOptions = {},
): IdempotencyStore & { size(): number; clear(): void } {
  const table = new IdempotencyTable(options.maxEntries ?? 100_000);
  const now = options.now ?? Date.now;
  const waiters = new Map<number, Array<() => void>>();

  function wake(slot: number) {
    const waiting = waiters.get(slot);
    if (!waiting) return;
    waiters.delete(slot);
    for (const w of waiting) w();
  }

  function record(slot: number): IdempotencyRecord {
    const { fingerprint, outcome } = table.entry(slot);
    return { fingerprint, outcome: outcome !== undefined ? (JSON.parse(outcome) as RecordedOutcome) : undefined };
  }

  return {
    async claim(key, fingerprint, ttlMs) {
      const at = now();
      const hash = hash53(key);
      const existing = table.find(hash, at, wake);
      if (existing !== undefined) return { claimed: false, record: record(existing) };
      table.claim(hash, fingerprint, at + ttlMs, at, wake);
      return { claimed: true };
    },
    async settle(key, outcome, ttlMs) {
      const at = now();
      const slot = table.find(hash53(key), at, wake);
      if (slot === undefined) return;
      table.settle(slot, JSON.stringify(outcome), at + ttlMs);
      wake(slot);
    },
    async release(key) {
      const slot = table.find(hash53(key), now(), wake);
      if (slot !== undefined && !table.isSettled(slot)) table.drop(slot, wake);
    },
    wait(key, timeoutMs, signal) {
      const slot = table.find(hash53(key), now(), wake);
      if (slot === undefined || table.isSettled(slot))
        return Promise.resolve(slot === undefined ? undefined : record(slot));
      return new Promise((resolve) => {
        const done = () => {
          clearTimeout(timer);
          signal?.removeEventListener("abort", done);
          const waiting = waiters.get(slot)?.filter((w) => w !== done);
          if (waiting?.length) waiters.set(slot, waiting);
          else waiters.delete(slot);
          // A dropped slot wakes its waiters before anyone can take it, so it is still this key's.
          resolve(table.isSettled(slot) ? record(slot) : undefined);
        };
        const timer = setTimeout(done, Math.max(0, timeoutMs));
        signal?.addEventListener("abort", done, { once: true });
        const waiting = waiters.get(slot);
        if (waiting) waiting.push(done);
        else waiters.set(slot, [done]);
      });
    },
    size: () => table.size,
    clear: () => table.clear(wake),
  };
}
