import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { type Client, Code, ConnectError } from "@connectrpc/connect";
import { trace } from "@opentelemetry/api";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { CountryCode } from "libphonenumber-js/max";
import { Channel, type OtpService, type SendOtpRequest } from "../../gen/otp/v1/otp_pb.js";
import { afterAnswer } from "../after-answer.js";
import { idempotencyKeyPattern } from "../otp/request-rules.js";
import { maskPhoneNumber } from "../phone.js";
import { hookOutcome } from "./hook-outcome.js";
import { type OktaTelephonyAction, type OktaTelephonyRequest, oktaError, telephonyAction } from "./telephony-types.js";

export type RefusedAnswer = "error" | "failed" | "suppress";

export interface HookHandlerOptions {
  readonly otpClient: Client<typeof OtpService>;
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
  readonly now: () => number;
}

type HookRequest = FastifyRequest<{ Body: OktaTelephonyRequest }>;
type HookAnswer = OktaTelephonyAction | ReturnType<typeof oktaError>;

// Time kept for writing our answer after the RPC gives up.
const answerMarginMs = 100;

/** One Okta event: read what only Okta's shape needs, send through OtpService, say how it went. */
export async function handleHook(req: HookRequest, reply: FastifyReply, opts: HookHandlerOptions): Promise<HookAnswer> {
  const { now } = opts;
  const body = req.body;
  const send = sendRequest(body, opts);
  const channelName = send.channel === Channel.SMS ? "sms" : "voice";
  const preview = body.data.context?.request?.url?.value?.endsWith("/generatePreview") ?? false;
  // Merged into each line rather than bound with child(): a send logs once, and a child logger
  // per request cost more than the line itself. Every key is always present (undefined ones
  // are left out of the line), so every request's object shares one hidden class.
  const fields = {
    channel: channelName,
    eventId: body.eventId || undefined,
    requestType: body.requestType || undefined,
    oktaRequestId: body.data.context?.request?.id || undefined,
    preview: preview || undefined,
  };
  const span = trace.getActiveSpan();
  span?.setAttributes({
    "okta.event_id": body.eventId ?? "",
    "okta.request_type": body.requestType ?? "",
    "okta.preview": preview,
    "otp.channel": channelName,
  });
  if (send.channel === Channel.SMS && body.data.messageProfile.msgTemplate && send.text === "") {
    req.log.warn(fields, "msgTemplate does not contain the code; using the gateway's SMS template");
  }

  const receivedAt = req.oktaReceivedAt || now();
  const timeoutMs = Math.max(1, opts.budgetMs - (now() - receivedAt) - answerMarginMs);
  try {
    const res = await opts.otpClient.sendOtp(send, { timeoutMs });
    span?.setAttribute("otp.phone.masked", res.maskedPhoneNumber);
    const latencyMs = now() - receivedAt;
    const line = { deliveryId: res.deliveryId, ...fields, providerMessageId: res.providerMessageId, latencyMs };
    afterAnswer(() => req.log.info(line, "okta hook: code accepted by carrier"));
    const metadata = `deliveryId=${res.deliveryId};channel=${channelName};latencyMs=${latencyMs}`;
    return telephonyAction("SUCCESSFUL", res.provider, metadata, res.providerMessageId);
  } catch (err) {
    span?.setAttribute("otp.phone.masked", maskPhoneNumber(send.phoneNumber));
    const ce = ConnectError.from(err);
    const outcome = hookOutcome(ce, channelName);
    switch (outcome.kind) {
      case "bad_request":
        req.log.info({ problem: outcome.problem, ...fields }, outcome.log);
        return reply.code(400).send(outcome.body);
      case "refused": {
        const answer = opts.refusedAnswer ?? "error";
        req.log.warn(
          { refusal: outcome.reason, ...fields, answer },
          "okta hook: send refused by the gateway's limits or policy",
        );
        const tail = `${outcome.reason};channel=${channelName}`;
        if (answer === "failed") return telephonyAction("FAILED", opts.providerName, `reason=${tail}`);
        if (answer === "suppress") return telephonyAction("SUCCESSFUL", opts.providerName, `suppressed=${tail}`);
        return oktaError(outcome.summary, [{ errorSummary: outcome.summary, reason: outcome.oktaReason }]);
      }
      case "failed": {
        const { reason, providerCode } = outcome;
        const line = { code: Code[ce.code], ...fields, reason, providerCode, latencyMs: now() - receivedAt };
        req.log.warn(line, "okta hook: code not sent, Okta will fall back");
        const provider = outcome.provider ?? opts.providerName;
        return telephonyAction("FAILED", provider, `reason=${reason};channel=${channelName}`);
      }
    }
  }
}

/** The SendOtp request for an Okta event. OtpService checks the number and the code itself. */
function sendRequest(
  body: OktaTelephonyRequest,
  opts: HookHandlerOptions,
): Omit<SendOtpRequest, "$typeName" | "$unknown"> {
  const profile = body.data.messageProfile;
  const now = opts.now();
  const channel = profile.deliveryChannel.trim().toLowerCase() === "sms" ? Channel.SMS : Channel.VOICE;
  const code = String(profile.otpCode).trim();
  // Okta's msgTemplate is already rendered; one that does not carry the code would send a
  // useless SMS, so the gateway's own template is used instead.
  const template = profile.msgTemplate ?? "";
  const expires = profile.otpExpires ? Date.parse(profile.otpExpires) : Number.NaN;
  const eventId = body.eventId ?? "";
  return {
    channel,
    phoneNumber: String(profile.phoneNumber),
    code,
    text: channel === Channel.SMS && template.includes(code) ? template : "",
    locale: profile.locale ?? "",
    // An eventId the service would refuse as a key is sent without one rather than refused.
    idempotencyKey: idempotencyKeyPattern.test(eventId) ? eventId : "",
    // A stale or clock-skewed expiry must not block the send; the carrier only uses it to
    // drop messages that could no longer be used.
    expiresAt: expires > now + 1000 ? timestampFromMs(expires) : undefined,
    defaultRegion: opts.defaultRegion ?? "",
    purpose: body.requestType ?? "",
    userId: body.data.userProfile?.userId ?? "",
  };
}
