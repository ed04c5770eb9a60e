import { type CarrierAcceptance, CarrierError, type SendOptions } from "../carrier.js";
import type { CarrierHttpResponse } from "../http-pool.js";
import { createEndpoint, type EndpointOptions, fromLoadBalancer, rateLimitedError, readProblem } from "./answers.js";

export interface VoiceClientOptions extends EndpointOptions {
  /** Whitelisted caller id for makeCall. */
  readonly source: string;
}

/** One call as 8x8's callflow takes it. */
export interface EightByEightCall {
  /** E.164 with "+". */
  readonly to: string;
  /** The script read to the person. */
  readonly text: string;
  /** One of 8x8's speech profiles ("en-GB-Emma"). */
  readonly voiceProfile: string;
  /** How many times 8x8 repeats the script. */
  readonly repetition: number;
  readonly expiresAt?: Date;
}

export interface VoiceClient {
  call(call: EightByEightCall, options: SendOptions): Promise<CarrierAcceptance>;
}

// Voice statusCodes meaning our account or caller-id settings are wrong, not this call.
const configurationCodes = new Set([401, 403, 404, -1002, -1004, -1014]);
const configurationStatuses = new Set([401, 403, 404]);

/** 8x8 Voice API callflow: makeCall → say → hangup. */
export function createVoiceClient(options: VoiceClientOptions): VoiceClient {
  const endpoint = createEndpoint(options, "callflows");
  return {
    async call(call, sendOptions) {
      // Every key always present, so every body shares one hidden class; JSON drops the undefined one.
      const body = {
        callflow: [
          { action: "makeCall", params: { source: options.source, destination: call.to } },
          {
            action: "say",
            params: { text: call.text, voiceProfile: call.voiceProfile, repetition: call.repetition, speed: 1 },
          },
          { action: "hangup" },
        ],
        validUntil: call.expiresAt?.toISOString(),
      };
      const res = await endpoint.post(body, sendOptions);
      return readAnswer(res, endpoint.provider, endpoint.now());
    },
  };
}

function readAnswer(res: CarrierHttpResponse, provider: string, now: number): CarrierAcceptance {
  const { body, code, init, detail } = readProblem(res, provider, { code: "statusCode", message: "statusMessage" });
  const sessionStatus = typeof body?.sessionStatus === "string" ? body.sessionStatus.toUpperCase() : undefined;
  if (res.status >= 200 && res.status < 300 && sessionStatus === "CREATED") {
    if (typeof body?.sessionId === "string" && body.sessionId !== "") {
      return { providerMessageId: body.sessionId, providerStatus: "CREATED" };
    }
    throw new CarrierError("unknown", "carrier created a call without a session id", {
      provider,
      httpStatus: res.status,
    });
  }
  if (res.status === 429) throw rateLimitedError(res, init, detail, now);
  if (sessionStatus === "NOT_CREATED" || (body !== undefined && code !== undefined))
    throw refusal(res, code, init, detail);
  if (res.status >= 500) {
    throw new CarrierError("unavailable", `carrier failed with HTTP ${res.status}`, {
      ...init,
      notSent: fromLoadBalancer(res, body),
    });
  }
  throw new CarrierError("unknown", `carrier answered HTTP ${res.status} without a readable call status`, init);
}

/** A call 8x8 answered NOT_CREATED (or with a statusCode): why, in our terms. */
function refusal(
  res: CarrierHttpResponse,
  code: number | undefined,
  init: ReturnType<typeof readProblem>["init"],
  detail: string,
): CarrierError {
  if (code === -1017) {
    return new CarrierError("invalid_destination", `carrier refused the destination${detail}`, {
      ...init,
      notSent: true,
    });
  }
  if ((code !== undefined && configurationCodes.has(code)) || configurationStatuses.has(res.status)) {
    return new CarrierError("misconfigured", `carrier refused the gateway's account settings${detail}`, {
      ...init,
      notSent: true,
    });
  }
  if (code === -9999 || code === 500 || res.status >= 500) {
    return new CarrierError("unavailable", `carrier failed to create the call${detail}`, init);
  }
  return new CarrierError("rejected", `carrier refused the call${detail}`, { ...init, notSent: true });
}
