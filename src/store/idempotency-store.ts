import type { JsonValue } from "@bufbuild/protobuf";
import { ownString } from "../own-string.js";

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

// Kept small: a gateway remembers up to IDEMPOTENCY_MAX_KEYS of these. The outcome is held as
// its JSON text (one string instead of an object graph) and waiters only exist while needed.
// Every field is set in the constructor, so all live inside the object.
class Entry {
  outcome: string | undefined = undefined;
  waiters: Array<() => void> | undefined = undefined;
  constructor(
    readonly key: string,
    readonly fingerprint: string,
    public expiresAt: number,
  ) {}
}

/**
 * Claims in the order they were made. An entry dropped early (released, or expired on lookup)
 * stays queued until its turn and is then skipped; the queue holds at most twice the cap, and
 * its consumed front is cut off once it is half of it, so each claim costs O(1) amortised.
 */
class ClaimQueue {
  private queue: Array<Entry | undefined> = [];
  private first = 0;

  constructor(
    private readonly entries: Map<string, Entry>,
    private readonly maxEntries: number,
    private readonly drop: (entry: Entry) => void,
  ) {}

  /** Queues a new claim, then drops from the front what has expired or is over the cap. */
  push(entry: Entry, at: number): void {
    if (this.queue.length - this.first >= this.maxEntries * 2) this.shift();
    this.queue.push(entry);
    while (this.first < this.queue.length) {
      const oldest = this.queue[this.first]!;
      const live = this.entries.get(oldest.key) === oldest;
      if (live && oldest.expiresAt > at && this.entries.size <= this.maxEntries) break;
      this.shift();
    }
  }

  clear(): void {
    this.queue = [];
    this.first = 0;
  }

  private shift(): void {
    const oldest = this.queue[this.first]!;
    this.queue[this.first] = undefined;
    this.first += 1;
    if (this.first >= 1024 && this.first * 2 >= this.queue.length) {
      this.queue = this.queue.slice(this.first);
      this.first = 0;
    }
    if (this.entries.get(oldest.key) === oldest) this.drop(oldest);
  }
}

export interface MemoryIdempotencyStoreOptions {
  /** Upper bound on remembered keys; the oldest go first, so a flood of ids cannot exhaust memory. */
  readonly maxEntries?: number;
  readonly now?: () => number;
}

/**
 * One process's idempotency memory. Entries expire by TTL and by count, oldest claim first:
 * every key gets the same TTL (a settle pushes expiry back by only the send's duration), so
 * claim order is expiry order, and a queue of claims in that order finds what to drop in O(1).
 * Nothing is ever scanned: a full scan, or a fresh Map iterator walking the deleted slots V8 had
 * not compacted yet, made every claim slower the longer the process had run.
 */
export function createMemoryIdempotencyStore(
  options: MemoryIdempotencyStoreOptions = {},
): IdempotencyStore & { size(): number; clear(): void } {
  const maxEntries = options.maxEntries ?? 100_000;
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry>();
  const queue = new ClaimQueue(entries, maxEntries, (entry) => drop(entry.key, entry));

  function drop(key: string, entry: Entry) {
    entries.delete(key);
    wake(entry);
  }

  function wake(entry: Entry) {
    const waiters = entry.waiters;
    entry.waiters = undefined;
    for (const w of waiters ?? []) w();
  }

  function live(key: string, at: number): Entry | undefined {
    const entry = entries.get(key);
    if (entry && entry.expiresAt <= at) {
      drop(key, entry);
      return undefined;
    }
    return entry;
  }

  function record(entry: Entry): IdempotencyRecord {
    return {
      fingerprint: entry.fingerprint,
      outcome: entry.outcome !== undefined ? (JSON.parse(entry.outcome) as RecordedOutcome) : undefined,
    };
  }

  return {
    async claim(key, fingerprint, ttlMs) {
      const at = now();
      const existing = live(key, at);
      if (existing) return { claimed: false, record: record(existing) };
      const entry = new Entry(ownString(key), ownString(fingerprint), at + ttlMs);
      entries.set(entry.key, entry);
      queue.push(entry, at);
      return { claimed: true };
    },
    async settle(key, outcome, ttlMs) {
      const entry = entries.get(key);
      if (!entry) return;
      entry.outcome = ownString(JSON.stringify(outcome));
      entry.expiresAt = now() + ttlMs;
      wake(entry);
    },
    async release(key) {
      const entry = entries.get(key);
      if (entry && entry.outcome === undefined) drop(key, entry);
    },
    wait(key, timeoutMs, signal) {
      const entry = live(key, now());
      if (!entry || entry.outcome !== undefined) return Promise.resolve(entry ? record(entry) : undefined);
      return new Promise((resolve) => {
        const done = () => {
          clearTimeout(timer);
          signal?.removeEventListener("abort", done);
          entry.waiters = entry.waiters?.filter((w) => w !== done);
          resolve(entry.outcome !== undefined ? record(entry) : undefined);
        };
        const timer = setTimeout(done, Math.max(0, timeoutMs));
        signal?.addEventListener("abort", done, { once: true });
        entry.waiters ??= [];
        entry.waiters.push(done);
      });
    },
    size: () => entries.size,
    clear() {
      for (const [key, entry] of entries) drop(key, entry);
      queue.clear();
    },
  };
}
