import type { Dispatcher } from "undici";

/** A carrier's HTTP answer as read off the wire, the body whole. */
export interface RawAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[]>;
  readonly text: string;
}

/**
 * Why an exchange failed, and how far it got: whether the request was handed to the socket and
 * whether an answer had begun. Only a request never written provably did not reach the carrier.
 */
export class ExchangeError extends Error {
  constructor(
    override readonly cause: unknown,
    readonly written: boolean,
    readonly responded: boolean,
    /** Whether the deadline passed or the caller cancelled. */
    readonly cancelled = false,
  ) {
    super("carrier exchange failed", { cause });
    this.name = "ExchangeError";
  }
}

/** An answer past the size any carrier API answer has. */
export class AnswerTooLarge extends Error {}

export interface ExchangeRequest {
  readonly method?: "GET" | "POST";
  readonly path: string;
  readonly headers: Record<string, string>;
  /** Absent for a GET. */
  readonly body?: string;
  readonly maxAnswerBytes: number;
}

/** The exchange's own deadline passed. */
class DeadlinePassed extends Error {
  constructor() {
    super("carrier deadline");
  }
}

/**
 * One POST through the pool, on undici's dispatch handler rather than `request()`, because only
 * the handler hears when the request's bytes were written (`onBodySent`): that is what tells a
 * send that provably never left this process (safe to retry) from one 8x8 may have taken.
 * Settles at once when the deadline passes or `signal` aborts, even while the request still
 * waits for a socket. The deadline is a timer of its own, not an AbortController: a controller
 * and its signal per call were a measurable share of a send's garbage.
 */
export function exchange(
  pool: Dispatcher,
  request: ExchangeRequest,
  limits: { readonly timeoutMs: number; readonly signal?: AbortSignal },
): Promise<RawAnswer> {
  const { signal } = limits;
  return new Promise((resolve, reject) => {
    let abort: ((err?: Error) => void) | undefined;
    let written = false;
    let responded = false;
    let settled = false;
    let status = 0;
    let headers: Record<string, string | string[]> = {};
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = (done: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      done();
    };
    // Set before aborting: undici reports the abort through onError at once.
    let cancelled = false;
    const fail = (err: unknown) => settle(() => reject(new ExchangeError(err, written, responded, cancelled)));
    const cancel = (reason: unknown) => {
      const err = reason instanceof Error ? reason : new Error("carrier call cancelled", { cause: reason });
      cancelled = true;
      abort?.(err);
      fail(err);
    };
    const onAbort = () => cancel(signal?.reason);
    const timer = setTimeout(() => cancel(new DeadlinePassed()), Math.max(1, limits.timeoutMs));
    if (signal?.aborted) return onAbort();
    signal?.addEventListener("abort", onAbort, { once: true });
    const handler = {
      onConnect(a: (err?: Error) => void) {
        abort = a;
        if (settled) a(new Error("carrier call cancelled"));
      },
      onBodySent() {
        written = true;
      },
      onHeaders(statusCode: number, raw: Buffer[]) {
        responded = true;
        status = statusCode;
        headers = parseRawHeaders(raw);
        return true;
      },
      onData(chunk: Buffer) {
        size += chunk.length;
        if (size > request.maxAnswerBytes) {
          abort?.(new AnswerTooLarge());
          return false;
        }
        chunks.push(chunk);
        return true;
      },
      onComplete() {
        const text = (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)).toString("utf8");
        settle(() => resolve({ status, headers, text }));
      },
      onError: fail,
    };
    const { method = "POST", path, headers: requestHeaders, body } = request;
    pool.dispatch({ method, path, headers: requestHeaders, body }, handler as Dispatcher.DispatchHandler);
  });
}

function parseRawHeaders(raw: Buffer[]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const key = raw[i]!.toString("latin1").toLowerCase();
    const value = raw[i + 1]!.toString("latin1");
    const existing = out[key];
    out[key] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return out;
}
