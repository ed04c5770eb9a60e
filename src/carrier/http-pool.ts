import { type Context, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_FULL,
} from "@opentelemetry/semantic-conventions";
import { Pool, errors as undiciErrors } from "undici";
import { callAsync } from "../async-call.js";
import { tracingEnabled } from "../observability/tracing-enabled.js";
import { CarrierError } from "./carrier.js";
import { AnswerTooLarge, ExchangeError, exchange, type RawAnswer } from "./http-exchange.js";

/** A carrier's HTTP answer, read in full. `json` is undefined when the body is not JSON. */
export interface CarrierHttpResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly contentType: string;
  readonly json: unknown;
}

export interface PostOptions {
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  /** The send's context; the call's span is made under it, and only with one. */
  readonly trace?: Context;
}

export interface CarrierHttpClient {
  postJson(path: string, body: unknown, options: PostOptions): Promise<CarrierHttpResponse>;
  /** A read (the speech profiles); not traced, as no send depends on it. */
  getJson(path: string, options: { timeoutMs: number }): Promise<CarrierHttpResponse>;
  close(): Promise<void>;
}

export interface CarrierHttpClientOptions {
  /** "https://sms.8x8.com" */
  readonly origin: string;
  readonly apiKey: string;
  readonly provider: string;
  /** Upper bound on sockets to this host; bursts beyond it queue in the pool. */
  readonly connections?: number;
}

// 8x8 answers are a few hundred bytes; anything far larger is not an 8x8 API answer.
const maxAnswerBytes = 64 * 1024;
// The speech-profile list has a few hundred entries.
const maxListBytes = 1024 * 1024;

/**
 * One keep-alive pool per carrier host, so a sign-in wave reuses warm TLS connections instead
 * of paying a handshake per code. Every call is bounded by its own deadline: the pool's
 * timeouts are only a backstop.
 */
export function createCarrierHttpClient(options: CarrierHttpClientOptions): CarrierHttpClient {
  const pool = new Pool(options.origin, {
    connections: options.connections ?? 256,
    pipelining: 1,
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 120_000,
    connect: { timeout: 5_000 },
    headersTimeout: 30_000,
    bodyTimeout: 30_000,
  });
  const requestHeaders = {
    authorization: `Bearer ${options.apiKey}`,
    "content-type": "application/json",
    accept: "application/json",
  };
  const { "content-type": _json, ...readHeaders } = requestHeaders;
  const provider = options.provider;
  // The client span of each call is made here rather than by @opentelemetry/instrumentation-undici:
  // that package parses the URL and every response header of each call (bench/README.md), and
  // it would send our trace context to the carrier.
  // Decided once, as for the gateway's other span hooks: with tracing off no span is made.
  const tracer = tracingEnabled() ? trace.getTracer("otp-gateway/carrier") : undefined;
  const origin = options.origin;
  const url = new URL(origin);
  const serverAttributes = {
    [ATTR_HTTP_REQUEST_METHOD]: "POST",
    [ATTR_SERVER_ADDRESS]: url.hostname,
    [ATTR_SERVER_PORT]: Number(url.port || (url.protocol === "https:" ? 443 : 80)),
    "otp.provider": provider,
  };

  const failed = (err: unknown): never => {
    throw toCarrierError(err, provider);
  };
  const send = (path: string, body: unknown, { timeoutMs, signal }: PostOptions) =>
    exchange(
      pool,
      { path, headers: requestHeaders, body: JSON.stringify(body), maxAnswerBytes },
      { timeoutMs, signal },
    );

  async function tracedPost(path: string, body: unknown, options: PostOptions, parent: Context) {
    const span = tracer?.startSpan(
      "POST",
      { kind: SpanKind.CLIENT, attributes: { [ATTR_URL_FULL]: `${origin}${path}`, ...serverAttributes } },
      parent,
    );
    try {
      const answer = await send(path, body, options);
      span?.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, answer.status);
      if (answer.status >= 400) {
        span?.setStatus({ code: SpanStatusCode.ERROR }).setAttribute(ATTR_ERROR_TYPE, String(answer.status));
      }
      return responseOf(answer);
    } catch (err) {
      const failure = toCarrierError(err, provider);
      // The failure kind only: the cause's text may echo what we sent.
      span
        ?.setStatus({ code: SpanStatusCode.ERROR, message: failure.message })
        .setAttribute(ATTR_ERROR_TYPE, failure.failure);
      throw failure;
    } finally {
      span?.end();
    }
  }

  return {
    postJson(path, body, options) {
      if (options.trace !== undefined && tracer !== undefined) return tracedPost(path, body, options, options.trace);
      // Untraced (most calls): shared handlers, so no frame of this call waits on 8x8's answer.
      return callAsync(send, path, body, options).then(responseOf, failed);
    },
    async getJson(path, { timeoutMs }) {
      try {
        const answer = await exchange(
          pool,
          { method: "GET", path, headers: readHeaders, maxAnswerBytes: maxListBytes },
          { timeoutMs },
        );
        return responseOf(answer);
      } catch (err) {
        throw toCarrierError(err, provider);
      }
    },
    async close() {
      await pool.close();
    },
  };
}

function responseOf(answer: RawAnswer): CarrierHttpResponse {
  const contentType = String(answer.headers["content-type"] ?? "");
  return { status: answer.status, headers: answer.headers, contentType, json: parseJson(answer.text) };
}

function parseJson(text: string): unknown {
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * What a failed exchange means for the send. Only a request that never reached the socket
 * provably did not reach 8x8 (`notSent`, so it may be retried); once written, 8x8 may have
 * accepted it whatever happened next, so the outcome is unknown and is never sent again.
 */
function toCarrierError(err: unknown, provider: string): CarrierError {
  if (err instanceof CarrierError) return err;
  const { cause, written, responded, cancelled } =
    err instanceof ExchangeError ? err : new ExchangeError(err, true, false);
  if (cause instanceof AnswerTooLarge) {
    return new CarrierError("unknown", "carrier answer too large to be an API response", { provider, cause });
  }
  if (cancelled) {
    const message = "carrier did not answer before the deadline";
    return new CarrierError("timeout", message, { provider, notSent: !written, cause });
  }
  const code = (cause as { code?: string } | null)?.code;
  if (connectFailures.has(code ?? "") || cause instanceof undiciErrors.ConnectTimeoutError) {
    return new CarrierError("unavailable", "could not connect to the carrier", { provider, notSent: true, cause });
  }
  if (!written) {
    const message = "connection to the carrier failed before the request was written";
    return new CarrierError("unavailable", message, { provider, notSent: true, cause });
  }
  if (cause instanceof undiciErrors.HeadersTimeoutError || cause instanceof undiciErrors.BodyTimeoutError) {
    return new CarrierError("timeout", "carrier did not answer in time", { provider, cause });
  }
  const message = responded
    ? "connection to the carrier broke while reading its answer"
    : "connection to the carrier broke after the request was written; the code may have gone out";
  return new CarrierError("unknown", message, { provider, cause });
}

// Refused or never-connected requests provably reached no 8x8 server.
const connectFailures = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN"]);
