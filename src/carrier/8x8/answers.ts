import { CarrierError, type CarrierErrorInit, type SendOptions } from "../carrier.js";
import type { CarrierHttpClient, CarrierHttpResponse } from "../http-pool.js";

/** What both 8x8 APIs put in an error answer, read once: code, text and error id. */
export interface EightByEightProblem {
  /** The body when it is a JSON object. */
  readonly body: Record<string, unknown> | undefined;
  /** 8x8's numeric code (SMS `code`, voice `statusCode`), when it sent one. */
  readonly code: number | undefined;
  /** The ids for CarrierError: provider, HTTP status, 8x8's code and error id. */
  readonly init: CarrierErrorInit;
  /** ": <8x8's text, digits masked>", or "" when it sent none; for operator-facing messages. */
  readonly detail: string;
}

/** Reads an 8x8 answer's code and message from the fields the API names them with. */
export function readProblem(
  res: CarrierHttpResponse,
  provider: string,
  fields: { readonly code: string; readonly message: string },
): EightByEightProblem {
  const body = isRecord(res.json) ? res.json : undefined;
  const raw = body?.[fields.code];
  const parsed = typeof raw === "number" ? raw : typeof raw === "string" ? Number(raw) : undefined;
  const code = parsed === undefined || Number.isNaN(parsed) ? undefined : parsed;
  const text = body?.[fields.message];
  const message = typeof text === "string" ? redactDigits(text).slice(0, 200) : undefined;
  const errorId = body?.errorId;
  return {
    body,
    code,
    init: {
      provider,
      httpStatus: res.status,
      providerCode: code === undefined ? undefined : String(code),
      providerErrorId: typeof errorId === "string" ? errorId : undefined,
    },
    detail: message ? `: ${message}` : "",
  };
}

/** What both 8x8 API clients are built from. */
export interface EndpointOptions {
  readonly http: CarrierHttpClient;
  readonly subaccountId: string;
  readonly provider: string;
  readonly now?: () => number;
}

/** One 8x8 API's send endpoint: `POST /api/v1/subaccounts/{id}/{resource}`. */
export function createEndpoint(options: EndpointOptions, resource: "messages" | "callflows") {
  const path = `/api/v1/subaccounts/${encodeURIComponent(options.subaccountId)}/${resource}`;
  const now = options.now ?? Date.now;
  return {
    provider: options.provider,
    now,
    post: (body: unknown, sendOptions: SendOptions) => options.http.postJson(path, body, sendOptions),
  };
}

/** Reads Retry-After (seconds or an HTTP date) as milliseconds; undefined when absent or junk. */
function parseRetryAfter(value: string | string[] | undefined, now: number): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || v.trim() === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(v.trim())) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** 8x8's 429: nothing was sent; Retry-After (when given) says how long to wait. */
export function rateLimitedError(
  res: CarrierHttpResponse,
  init: CarrierErrorInit,
  detail: string,
  now: number,
): CarrierError {
  const retryAfterMs = parseRetryAfter(res.headers["retry-after"], now);
  return new CarrierError("rate_limited", `carrier rate limit reached${detail}`, {
    ...init,
    retryAfterMs,
    notSent: true,
  });
}

/**
 * A 502/503/504 without 8x8's own JSON body comes from a load balancer in front of the API:
 * the request never reached the service that sends.
 */
export function fromLoadBalancer(res: CarrierHttpResponse, body: unknown): boolean {
  return body === undefined && res.status >= 502 && res.status <= 504;
}

/** Masks digit runs (phone numbers, codes) in carrier-supplied text before it is logged. */
export function redactDigits(text: string): string {
  return text.replace(/\+?\d[\d -]{2,}\d/g, (m) => m.replace(/\d/g, "*"));
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
