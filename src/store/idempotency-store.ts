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

// Kept small: a gateway remembers up to IDEMPOTENCY_MAX_KEYS of these. The outcome is held as
// its JSON text (one string instead of an object graph) and waiters only exist while needed.
// Every field is set in the constructor, so all live inside the object.
class Entry {
  outcome: string | undefined = undefined;
  waiters: Array<() => void> | undefined = undefined;
  constructor(
    readonly fingerprint: string,
    public expiresAt: number,
  ) {}
}

/**
 * `text` as one flat string. JSON.stringify and string concatenation return ropes of their
 * pieces (V8's string builder), and held for the key's lifetime a recorded answer cost about
 * 150 bytes more than its text (test/reliability.test.ts measures the bytes per key). A round
 * trip through UTF-8 costs about a microsecond and is lossless for well-formed text; a string
 * with a lone surrogate (which UTF-8 would replace) is kept as it is.
 */
function flat(text: string): string {
  return text.isWellFormed() ? Buffer.from(text, "utf8").toString("utf8") : text;
}

export interface MemoryIdempotencyStoreOptions {
  /** Upper bound on remembered keys; the oldest go first, so a flood of ids cannot exhaust memory. */
  readonly maxEntries?: number;
  readonly now?: () => number;
}

/** One process's idempotency memory. Entries expire by TTL and by count. */
export function createMemoryIdempotencyStore(
  options: MemoryIdempotencyStoreOptions = {},
): IdempotencyStore & { size(): number; clear(): void } {
  const maxEntries = options.maxEntries ?? 100_000;
  const now = options.now ?? Date.now;
  // Map keeps insertion (claim) order. Every key gets the same TTL, so the first entries are
  // the first to expire or to be evicted; a settle pushes expiry back by only the send's
  // duration, and expired entries are dropped on lookup as well.
  const entries = new Map<string, Entry>();

  function sweep(at: number) {
    for (const [key, entry] of entries) {
      if (entry.expiresAt > at && entries.size <= maxEntries) break;
      drop(key, entry);
    }
  }

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
      entries.set(flat(key), new Entry(flat(fingerprint), at + ttlMs));
      sweep(at);
      return { claimed: true };
    },
    async settle(key, outcome, ttlMs) {
      const entry = entries.get(key);
      if (!entry) return;
      entry.outcome = flat(JSON.stringify(outcome));
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
    },
  };
}
