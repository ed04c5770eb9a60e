import type { JsonValue } from "@bufbuild/protobuf";

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

interface Entry {
  fingerprint: string;
  outcome?: RecordedOutcome;
  expiresAt: number;
  readonly waiters: Set<() => void>;
}

export interface MemoryIdempotencyStoreOptions {
  /** Upper bound on remembered keys; the oldest go first, so a flood of ids cannot exhaust memory. */
  readonly maxEntries?: number;
  readonly now?: () => number;
}

/** One process's idempotency memory. Entries expire by TTL and by count. */
export function createMemoryIdempotencyStore(options: MemoryIdempotencyStoreOptions = {}): IdempotencyStore & { size(): number } {
  const maxEntries = options.maxEntries ?? 100_000;
  const now = options.now ?? Date.now;
  // Map keeps insertion order; entries are re-inserted when their TTL is renewed, so the
  // first entries are always the ones to expire or evict first.
  const entries = new Map<string, Entry>();

  function sweep(at: number) {
    for (const [key, entry] of entries) {
      if (entry.expiresAt > at && entries.size <= maxEntries) break;
      entries.delete(key);
      wake(entry);
    }
  }

  function wake(entry: Entry) {
    for (const w of entry.waiters) w();
    entry.waiters.clear();
  }

  function live(key: string, at: number): Entry | undefined {
    const entry = entries.get(key);
    if (entry && entry.expiresAt <= at) {
      entries.delete(key);
      wake(entry);
      return undefined;
    }
    return entry;
  }

  return {
    async claim(key, fingerprint, ttlMs) {
      const at = now();
      const existing = live(key, at);
      if (existing) {
        return {
          claimed: false,
          record: { fingerprint: existing.fingerprint, ...(existing.outcome ? { outcome: existing.outcome } : {}) },
        };
      }
      entries.set(key, { fingerprint, expiresAt: at + ttlMs, waiters: new Set() });
      sweep(at);
      return { claimed: true };
    },
    async settle(key, outcome, ttlMs) {
      const entry = entries.get(key);
      if (!entry) return;
      entry.outcome = outcome;
      entry.expiresAt = now() + ttlMs;
      entries.delete(key);
      entries.set(key, entry);
      wake(entry);
    },
    async release(key) {
      const entry = entries.get(key);
      if (!entry || entry.outcome) return;
      entries.delete(key);
      wake(entry);
    },
    wait(key, timeoutMs, signal) {
      const entry = live(key, now());
      if (!entry || entry.outcome) {
        return Promise.resolve(entry ? { fingerprint: entry.fingerprint, outcome: entry.outcome! } : undefined);
      }
      return new Promise((resolve) => {
        const done = () => {
          clearTimeout(timer);
          signal?.removeEventListener("abort", done);
          entry.waiters.delete(done);
          resolve(entry.outcome ? { fingerprint: entry.fingerprint, outcome: entry.outcome } : undefined);
        };
        const timer = setTimeout(done, Math.max(0, timeoutMs));
        signal?.addEventListener("abort", done, { once: true });
        entry.waiters.add(done);
      });
    },
    size: () => entries.size,
  };
}
