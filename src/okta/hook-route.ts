import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, type Client } from "@connectrpc/connect";
import { trace } from "@opentelemetry/api";
import type { FastifyError, FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";
import type { CountryCode } from "libphonenumber-js/max";
import {
  CarrierErrorDetailSchema,
  Channel,
  PolicyDetailSchema,
  RateLimitDetailSchema,
  type OtpService,
} from "../../gen/otp/v1/otp_pb.js";
import { afterAnswer } from "../after-answer.js";
import { codePattern, idempotencyKeyPattern } from "../otp/request-rules.js";
import { parsePhoneNumber, PhoneNumberError } from "../phone.js";
import type { HookAuthenticator } from "./hook-auth.js";
import {
  oktaError,
  oktaTelephonyRequestSchema,
  telephonyAction,
  type OktaTelephonyAction,
  type OktaTelephonyRequest,
} from "./telephony-types.js";

export interface OktaHookOptions {
  readonly otpClient: Client<typeof OtpService>;
  /** Checks Okta's credentials (static header or OAuth access token). */
  readonly authenticate: HookAuthenticator;
  /** Total time from Okta's request to our answer; under Okta's 3 s. */
  readonly budgetMs: number;
  readonly defaultRegion?: CountryCode;
  /** Provider name reported when the failure gives none (for example the RPC itself failed). */
  readonly providerName: string;
  /**
   * What Okta is told when the gateway itself refuses a send (send limit or destination
   * policy): `error` (an error object, shown to the user), `failed` (Okta falls back to its
   * own providers) or `suppress` (SUCCESSFUL without sending, so nothing is sent at all).
   */
  readonly refusedAnswer?: RefusedAnswer;
  readonly now?: () => number;
}

export type RefusedAnswer = "error" | "failed" | "suppress";

// Time kept for writing our answer after the RPC gives up.
const answerMarginMs = 100;
// Okta's bodies are about 1 KB; this leaves room for long templates and nothing more.
const bodyLimit = 16 * 1024;

// Short, fixed reasons for transactionMetadata: Okta may show them, so they hold no internals.
const failureReasons: Partial<Record<Code, string>> = {
  [Code.InvalidArgument]: "destination_refused",
  [Code.FailedPrecondition]: "carrier_refused",
  [Code.ResourceExhausted]: "rate_limited",
  [Code.AlreadyExists]: "duplicate_event",
  [Code.Unavailable]: "carrier_unavailable",
  [Code.DeadlineExceeded]: "timeout",
  [Code.Unknown]: "outcome_unknown",
};

declare module "fastify" {
  interface FastifyRequest {
    oktaReceivedAt?: number;
  }
}

/**
 * `POST /okta/telephony`: Okta's telephony inline hook. Answers 401 for bad credentials, 400
 * for a request it cannot understand, and otherwise always 200 with SUCCESSFUL (the carrier
 * accepted the send) or FAILED (so Okta falls back to its own providers).
 */
export const oktaHookRoutes: FastifyPluginAsync<OktaHookOptions> = async (app, opts) => {
  const now = opts.now ?? Date.now;
  // Okta only sends JSON; anything else gets a clear 415 instead of a confusing schema error.
  app.removeContentTypeParser("text/plain");

  app.addHook("onRequest", async (req, reply) => {
    req.oktaReceivedAt = now();
    // Checked before the body is read, so an unauthenticated caller costs us no parsing.
    const refusal = await opts.authenticate(req.headers);
    if (refusal !== undefined) {
      req.log.warn({ reason: refusal }, "okta hook request refused");
      return reply.code(401).send(oktaError("Unauthorized"));
    }
  });

  app.setErrorHandler((err: FastifyError, req, reply) => {
    const status = err.statusCode ?? 500;
    if (err.validation) {
      const causes = err.validation.map((v) => {
        const missing = (v.params as { missingProperty?: string }).missingProperty;
        const path = `${v.instancePath.replace(/^\//, "").replaceAll("/", ".")}${missing ? `${v.instancePath ? "." : ""}${missing}` : ""}`;
        return {
          errorSummary: `${path || "body"} ${v.message ?? "is invalid"}`,
          reason: "INVALID_REQUEST",
          locationType: "body" as const,
          location: path || "body",
        };
      });
      req.log.info({ statusCode: 400, fields: causes.map((c) => c.location) }, "okta hook request is invalid");
      return reply.code(400).send(oktaError("The telephony request is invalid", causes));
    }
    if (status >= 400 && status < 500) {
      req.log.info({ statusCode: status, errCode: err.code }, "okta hook request not understood");
      return reply.code(status).send(oktaError(clientErrorSummary(status)));
    }
    // Anything unexpected still gets a well-formed FAILED, so Okta falls back instead of waiting.
    req.log.error({ err }, "okta hook failed unexpectedly");
    return reply.code(200).send(telephonyAction("FAILED", opts.providerName, "reason=gateway_error"));
  });

  app.post<{ Body: OktaTelephonyRequest }>(
    "/okta/telephony",
    { bodyLimit, schema: { body: oktaTelephonyRequestSchema } },
    async (req, reply) => handleHook(req, reply, opts, now),
  );
};

function clientErrorSummary(status: number): string {
  if (status === 413) return "The telephony request is too large";
  if (status === 415) return "The telephony request must be JSON (application/json)";
  return "The telephony request could not be read";
}

async function handleHook(
  req: FastifyRequest<{ Body: OktaTelephonyRequest }>,
  reply: FastifyReply,
  opts: OktaHookOptions,
  now: () => number,
): Promise<OktaTelephonyAction | ReturnType<typeof oktaError>> {
  const body = req.body;
  const profile = body.data.messageProfile;
  const channel = profile.deliveryChannel.trim().toLowerCase() === "sms" ? Channel.SMS : Channel.VOICE;
  const channelName = channel === Channel.SMS ? "sms" : "voice";
  const preview = body.data.context?.request?.url?.value?.endsWith("/generatePreview") ?? false;
  // Merged into each line rather than bound with child(): a send logs once, and a child logger
  // per request cost more than the line itself.
  // Fixed keys first: a literal that opens with a spread of a non-empty object gets new hidden
  // classes on every call (README, Performance, "hidden classes").
  const fields = {
    channel: channelName,
    ...(body.eventId ? { eventId: body.eventId } : {}),
    ...(body.requestType ? { requestType: body.requestType } : {}),
    ...(body.data.context?.request?.id ? { oktaRequestId: body.data.context.request.id } : {}),
    ...(preview ? { preview } : {}),
  };
  trace.getActiveSpan()?.setAttributes({
    "okta.event_id": body.eventId ?? "",
    "okta.request_type": body.requestType ?? "",
    "okta.preview": preview,
    "otp.channel": channelName,
  });

  let e164: string;
  try {
    const phone = parsePhoneNumber(String(profile.phoneNumber), opts.defaultRegion);
    e164 = phone.e164;
    trace.getActiveSpan()?.setAttribute("otp.phone.masked", phone.masked);
  } catch (err) {
    if (!(err instanceof PhoneNumberError)) throw err;
    req.log.info({ problem: err.problem, ...fields }, "okta hook request has an unusable phone number");
    return reply.code(400).send(
      oktaError("The phone number cannot receive a code", [
        {
          errorSummary: err.message,
          reason: "INVALID_PHONE_NUMBER",
          locationType: "body",
          location: "data.messageProfile.phoneNumber",
        },
      ]),
    );
  }
  const code = String(profile.otpCode).trim();
  if (!codePattern.test(code)) {
    req.log.info(fields, "okta hook request has an unusable code (not 4 to 10 letters or digits)");
    return reply.code(400).send(
      oktaError("The telephony request is invalid", [
        {
          errorSummary: "otpCode must be 4 to 10 letters or digits",
          reason: "INVALID_REQUEST",
          locationType: "body",
          location: "data.messageProfile.otpCode",
        },
      ]),
    );
  }
  // Okta's msgTemplate is already rendered; one that does not carry the code would send a
  // useless SMS, so the gateway's own template is used instead.
  const template = profile.msgTemplate ?? "";
  const text = channel === Channel.SMS && template.includes(code) ? template : "";
  if (channel === Channel.SMS && template !== "" && text === "") {
    req.log.warn(fields, "msgTemplate does not contain the code; using the gateway's SMS template");
  }
  const expires = profile.otpExpires ? Date.parse(profile.otpExpires) : Number.NaN;

  const receivedAt = req.oktaReceivedAt ?? now();
  const timeoutMs = Math.max(1, opts.budgetMs - (now() - receivedAt) - answerMarginMs);
  try {
    const res = await opts.otpClient.sendOtp(
      {
        channel,
        phoneNumber: e164,
        code,
        text,
        locale: profile.locale ?? "",
        idempotencyKey: body.eventId && idempotencyKeyPattern.test(body.eventId) ? body.eventId : "",
        // A stale or clock-skewed expiry must not block the send; the carrier only uses it to
        // drop messages that could no longer be used.
        ...(expires > now() + 1000 ? { expiresAt: timestampFromMs(expires) } : {}),
        purpose: body.requestType ?? "",
        userId: body.data.userProfile?.userId ?? "",
      },
      { timeoutMs },
    );
    const latencyMs = now() - receivedAt;
    const line = { deliveryId: res.deliveryId, ...fields, providerMessageId: res.providerMessageId, latencyMs };
    afterAnswer(() => req.log.info(line, "okta hook: code accepted by carrier"));
    return telephonyAction(
      "SUCCESSFUL",
      res.provider,
      `deliveryId=${res.deliveryId};channel=${channelName};latencyMs=${latencyMs}`,
      res.providerMessageId,
    );
  } catch (err) {
    const ce = ConnectError.from(err);
    const refusal = gatewayRefusal(ce);
    if (refusal) {
      const answer = opts.refusedAnswer ?? "error";
      req.log.warn({ refusal: refusal.reason, ...fields, answer }, "okta hook: send refused by the gateway's limits or policy");
      if (answer === "failed") return telephonyAction("FAILED", opts.providerName, `reason=${refusal.reason};channel=${channelName}`);
      if (answer === "suppress") return telephonyAction("SUCCESSFUL", opts.providerName, `suppressed=${refusal.reason};channel=${channelName}`);
      return oktaError(refusal.summary, [{ errorSummary: refusal.summary, reason: refusal.oktaReason }]);
    }
    const detail = ce.findDetails(CarrierErrorDetailSchema)[0];
    // Without a carrier detail an Unavailable is the gateway's own (remote OtpService down, limit
    // store unreachable with RATE_LIMIT_FAIL_MODE=closed): ours to fix, not the carrier's.
    const reason =
      detail === undefined && ce.code === Code.Unavailable
        ? "gateway_unavailable"
        : detail === undefined && ce.code === Code.ResourceExhausted
          ? "overloaded"
          : (failureReasons[ce.code] ?? "gateway_error");
    const latencyMs = now() - receivedAt;
    req.log.warn(
      { code: Code[ce.code], ...fields, reason, providerCode: detail?.providerCode || undefined, latencyMs },
      "okta hook: code not sent, Okta will fall back",
    );
    return telephonyAction("FAILED", detail?.provider || opts.providerName, `reason=${reason};channel=${channelName}`);
  }
}

/** A refusal by the gateway's own send limits or destination policy, in Okta's terms. */
function gatewayRefusal(ce: ConnectError): { reason: string; summary: string; oktaReason: string } | undefined {
  const limit = ce.findDetails(RateLimitDetailSchema)[0];
  if (limit) {
    return {
      reason: `rate_limited_${limit.limit}`,
      summary: "Too many verification codes were requested. Please wait and try again later.",
      oktaReason: "RATE_LIMITED",
    };
  }
  const policy = ce.findDetails(PolicyDetailSchema)[0];
  if (policy) {
    return {
      reason: `policy_${policy.reason}`,
      summary: "Verification codes cannot be sent to this phone number.",
      oktaReason: "DESTINATION_NOT_ALLOWED",
    };
  }
  return undefined;
}
