import { callAsync } from "../../async-call.js";
import { type CarrierAcceptance, CarrierError, type SendOptions } from "../carrier.js";
import type { CarrierHttpResponse } from "../http-pool.js";
import {
  createEndpoint,
  type EndpointOptions,
  fromLoadBalancer,
  isRecord,
  rateLimitedError,
  readProblem,
  redactDigits,
} from "./answers.js";

export interface SmsClientOptions extends EndpointOptions {
  /** Sender id; when absent 8x8 uses the subaccount's default. */
  readonly source?: string;
  /** Where 8x8 posts the receipts of these messages; the account's webhook when absent. */
  readonly dlrCallbackUrl?: string;
  /** Asks 8x8 to track conversions ("Outcome"), told later through the Feedback API. */
  readonly track?: boolean;
}

/** One message as 8x8's SMS API takes it. */
export interface EightByEightSms {
  /** E.164 with "+". */
  readonly to: string;
  readonly text: string;
  /** Echoed by 8x8 in receipts; at most 50 characters (clientMessageIdFor). */
  readonly clientMessageId: string;
  readonly expiresAt?: Date;
  /** The person's address, which 8x8 can limit per IP on request. */
  readonly clientIp?: string;
}

export interface SmsClient {
  send(message: EightByEightSms, options: SendOptions): Promise<CarrierAcceptance>;
}

// 8x8 error codes that mean our account settings, not this message, are wrong.
const configurationCodes = new Set([1001, 1005, 1014, 1200, 1201, 2002, 2003, 3011]);
const destinationCodes = new Set([1002, 1009, 3002, 3003, 3018]);
const configurationStatuses = new Set([401, 403, 404, 410, 426]);

/** 8x8 SMS API: `POST /api/v1/subaccounts/{id}/messages`, one message per call. */
export function createSmsClient(options: SmsClientOptions): SmsClient {
  const endpoint = createEndpoint(options, "messages");
  const answer = (res: CarrierHttpResponse): CarrierAcceptance => {
    if (res.status >= 200 && res.status < 300) return readAcceptance(res, endpoint.provider);
    throw readError(res, endpoint.provider, endpoint.now());
  };
  return {
    // Not async, and one answer handler for every message: nothing of this call waits on 8x8's answer.
    send: (message, sendOptions) => callAsync(post, message, sendOptions).then(answer),
  };

  function post(message: EightByEightSms, sendOptions: SendOptions): Promise<CarrierHttpResponse> {
    // Every key always present, so every body shares one hidden class; JSON drops the undefined ones.
    const body = {
      destination: message.to,
      text: message.text,
      encoding: "AUTO",
      clientMessageId: message.clientMessageId,
      source: options.source,
      expiry: message.expiresAt?.toISOString(),
      dlrCallbackUrl: options.dlrCallbackUrl,
      track: options.track ? "Outcome" : undefined,
      clientIp: message.clientIp,
    };
    return endpoint.post(body, sendOptions);
  }
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
  const { body, code, init, detail } = readProblem(res, provider, { code: "code", message: "message" });
  if (res.status === 429) return rateLimitedError(res, init, detail, now);
  if (configurationStatuses.has(res.status) || (code !== undefined && configurationCodes.has(code))) {
    return new CarrierError("misconfigured", `carrier refused the gateway's account settings${detail}`, {
      ...init,
      notSent: true,
    });
  }
  if (code !== undefined && destinationCodes.has(code)) {
    return new CarrierError("invalid_destination", `carrier refused the destination${detail}`, {
      ...init,
      notSent: true,
    });
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
