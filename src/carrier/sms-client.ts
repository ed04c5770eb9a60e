import { CarrierError, type CarrierAcceptance, type SendOptions, type SmsMessage } from "./carrier.js";
import {
  fromLoadBalancer,
  isRecord,
  rateLimitedError,
  redactDigits,
  type CarrierHttpClient,
  type CarrierHttpResponse,
} from "./http-pool.js";

export interface SmsClientOptions {
  readonly http: CarrierHttpClient;
  readonly subaccountId: string;
  /** Sender id; when absent 8x8 uses the subaccount's default. */
  readonly source?: string;
  readonly provider: string;
  readonly now?: () => number;
}

export interface SmsClient {
  send(message: SmsMessage, options: SendOptions): Promise<CarrierAcceptance>;
}

// 8x8 error codes that mean our account settings, not this message, are wrong.
const configurationCodes = new Set([1001, 1005, 1014, 1200, 1201, 2002, 2003, 3011]);
const destinationCodes = new Set([1002, 1009, 3002, 3003, 3018]);

/** 8x8 SMS API: `POST /api/v1/subaccounts/{id}/messages`, one message per call. */
export function createSmsClient(options: SmsClientOptions): SmsClient {
  const path = `/api/v1/subaccounts/${encodeURIComponent(options.subaccountId)}/messages`;
  const provider = options.provider;
  const now = options.now ?? Date.now;

  return {
    async send(message, sendOptions) {
      // Fixed keys first: a literal that opens with a spread of a non-empty object gets new hidden
      // classes on every call (README, Performance, "hidden classes").
      const body = {
        destination: message.to,
        text: message.text,
        encoding: "AUTO",
        clientMessageId: message.clientMessageId,
        ...(options.source ? { source: options.source } : {}),
        ...(message.expiresAt ? { expiry: message.expiresAt.toISOString() } : {}),
      };
      const res = await options.http.postJson(path, body, sendOptions);
      if (res.status >= 200 && res.status < 300) return readAcceptance(res, provider);
      throw readError(res, provider, now());
    },
  };
}

function readAcceptance(res: CarrierHttpResponse, provider: string): CarrierAcceptance {
  const body = res.json;
  if (!isRecord(body)) {
    throw new CarrierError("unknown", "carrier answered success with an unreadable body", {
      provider,
      httpStatus: res.status,
    });
  }
  const status = isRecord(body.status) ? body.status : {};
  const code = typeof status.code === "string" ? status.code.toUpperCase() : undefined;
  // 8x8 can answer 200 and still refuse the message; only an explicit non-REJECTED status with a
  // umid counts as accepted.
  if (code === "REJECTED") {
    const description = typeof status.description === "string" ? status.description : "";
    const destinationProblem = /msisdn|destination|e\.164/i.test(description);
    throw new CarrierError(
      destinationProblem ? "invalid_destination" : "rejected",
      `carrier rejected the message${description ? `: ${redactDigits(description).slice(0, 200)}` : ""}`,
      { provider, providerCode: "REJECTED", httpStatus: res.status },
    );
  }
  if (typeof body.umid !== "string" || body.umid === "" || code === undefined) {
    throw new CarrierError("unknown", "carrier answered success without a message id or status", {
      provider,
      httpStatus: res.status,
    });
  }
  return { providerMessageId: body.umid, providerStatus: code };
}

function readError(res: CarrierHttpResponse, provider: string, now: number): CarrierError {
  const body = isRecord(res.json) ? res.json : undefined;
  const code = typeof body?.code === "number" ? body.code : typeof body?.code === "string" ? Number(body.code) : undefined;
  const providerMessage = typeof body?.message === "string" ? redactDigits(body.message).slice(0, 200) : undefined;
  const init = {
    provider,
    httpStatus: res.status,
    ...(code !== undefined && !Number.isNaN(code) ? { providerCode: String(code) } : {}),
    ...(typeof body?.errorId === "string" ? { providerErrorId: body.errorId } : {}),
  };
  const detail = providerMessage ? `: ${providerMessage}` : "";

  if (res.status === 429) return rateLimitedError(res, init, detail, now);
  if (res.status === 401 || res.status === 403 || res.status === 404 || res.status === 410 || res.status === 426 || (code !== undefined && configurationCodes.has(code))) {
    return new CarrierError("misconfigured", `carrier refused the gateway's account settings${detail}`, { ...init, notSent: true });
  }
  if (code !== undefined && destinationCodes.has(code)) {
    return new CarrierError("invalid_destination", `carrier refused the destination${detail}`, { ...init, notSent: true });
  }
  if (res.status === 400 || res.status === 422) {
    return new CarrierError("rejected", `carrier refused the request${detail}`, { ...init, notSent: true });
  }
  if (res.status >= 500) {
    return new CarrierError("unavailable", `carrier failed with HTTP ${res.status}${detail}`, {
      ...init,
      notSent: fromLoadBalancer(res, body),
    });
  }
  return new CarrierError("unknown", `carrier answered HTTP ${res.status}${detail}`, init);
}
