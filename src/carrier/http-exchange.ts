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
  return new Promise((resolve, reject) => {
    const call = new Exchange(request.maxAnswerBytes, limits.timeoutMs, limits.signal, resolve, reject);
    if (call.settled) return;
    const { method = "POST", path, headers, body } = request;
    pool.dispatch({ method, path, headers, body }, call as Dispatcher.DispatchHandler);
  });
}

const onDeadline = (call: Exchange) => call.cancel(new DeadlinePassed());

/**
 * One exchange's state and undici's handler for it, in one object: the handler's methods, the
 * deadline's callback and the signal's listener (`handleEvent`) are shared by every call
 * instead of a dozen closures made per call.
 */
class Exchange {
  settled = false;
  #abort: ((err?: Error) => void) | undefined;
  #written = false;
  #responded = false;
  // Set before aborting: undici reports the abort through onError at once.
  #cancelled = false;
  #status = 0;
  #headers: Record<string, string | string[]> = {};
  #chunks: Buffer[] = [];
  #size = 0;
  readonly #timer: ReturnType<typeof setTimeout>;

  constructor(
    readonly maxAnswerBytes: number,
    timeoutMs: number,
    readonly signal: AbortSignal | undefined,
    readonly resolve: (answer: RawAnswer) => void,
    readonly reject: (err: ExchangeError) => void,
  ) {
    this.#timer = setTimeout(onDeadline, Math.max(1, timeoutMs), this);
    if (signal?.aborted) this.handleEvent();
    else signal?.addEventListener("abort", this, { once: true });
  }

  /** The signal aborted. */
  handleEvent(): void {
    this.cancel(this.signal?.reason);
  }

  cancel(reason: unknown): void {
    const err = reason instanceof Error ? reason : new Error("carrier call cancelled", { cause: reason });
    this.#cancelled = true;
    this.#abort?.(err);
    this.onError(err);
  }

  #finish(): boolean {
    if (this.settled) return false;
    this.settled = true;
    clearTimeout(this.#timer);
    this.signal?.removeEventListener("abort", this);
    return true;
  }

  onConnect(abort: (err?: Error) => void): void {
    this.#abort = abort;
    if (this.settled) abort(new Error("carrier call cancelled"));
  }

  onBodySent(): void {
    this.#written = true;
  }

  onHeaders(statusCode: number, raw: Buffer[]): boolean {
    this.#responded = true;
    this.#status = statusCode;
    this.#headers = parseRawHeaders(raw);
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.#size += chunk.length;
    if (this.#size > this.maxAnswerBytes) {
      this.#abort?.(new AnswerTooLarge());
      return false;
    }
    this.#chunks.push(chunk);
    return true;
  }

  onComplete(): void {
    if (!this.#finish()) return;
    const chunks = this.#chunks;
    const text = (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)).toString("utf8");
    this.resolve({ status: this.#status, headers: this.#headers, text });
  }

  onError(err: unknown): void {
    if (this.#finish()) this.reject(new ExchangeError(err, this.#written, this.#responded, this.#cancelled));
  }
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
