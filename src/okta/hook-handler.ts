import { isIP } from "node:net";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { type Client, Code, ConnectError } from "@connectrpc/connect";
import { type Span, trace } from "@opentelemetry/api";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { CountryCode } from "libphonenumber-js/max";
import { Channel, type OtpService, type SendOtpRequest, type SendOtpResponse } from "../../gen/otp/v1/otp_pb.js";
import { afterAnswer } from "../after-answer.js";
import { rpcValuesFor } from "../observability/trace-context.js";
import { callerLogFieldsKey } from "../otp/caller.js";
import { idempotencyKeyPattern } from "../otp/request-rules.js";
import { maskPhoneNumber } from "../phone.js";
import { type EventKind, eventKind } from "./event-kind.js";
import { hookOutcome } from "./hook-outcome.js";
import {
  channelOf,
  type OktaTelephonyAction,
  type OktaTelephonyRequest,
  oktaError,
  telephonyAction,
} from "./telephony-types.js";

export type RefusedAnswer = "error" | "failed" | "suppress";

/**
 * Whether codes can reach a phone from here: `live`; `sandbox` (this process sends through the
 * sandbox carrier); `remote` (a façade: the answer's provider tells).
 */
export type Delivery = "live" | "sandbox" | "remote";

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
  readonly delivery: Delivery;
  readonly now: () => number;
}

type HookRequest = FastifyRequest<{ Body: OktaTelephonyRequest }>;
type HookAnswer = OktaTelephonyAction | ReturnType<typeof oktaError>;
type SendInit = Omit<SendOtpRequest, "$typeName" | "$unknown">;

/** One Okta event, with what every log line about it carries. */
interface HookEvent {
  readonly kind: EventKind;
  readonly channel: "sms" | "voice";
  readonly fields: Readonly<Record<string, unknown>>;
  readonly span: Span | undefined;
}

// Time kept for writing our answer after the RPC gives up.
const answerMarginMs = 100;
const sandboxProvider = "sandbox";

/** One Okta event: read what only Okta's shape needs, send through OtpService, say how it went. */
export async function handleHook(req: HookRequest, reply: FastifyReply, opts: HookHandlerOptions): Promise<HookAnswer> {
  const { now } = opts;
  const receivedAt = req.oktaReceivedAt || now();
  const send = sendRequest(req.body, opts);
  const event = describe(req, send);
  if (send.channel === Channel.SMS && req.body.data.messageProfile.msgTemplate && send.text === "") {
    req.log.warn(event.fields, "msgTemplate does not contain the code; using the gateway's SMS template");
  }
  if (event.kind.placeholderNumber) return refusePlaceholder(req, reply, event);
  if (opts.delivery === "sandbox" && event.kind.realSignIn) return refuseSandbox(req, event);

  const timeoutMs = Math.max(1, opts.budgetMs - (now() - receivedAt) - answerMarginMs);
  let res: SendOtpResponse;
  try {
    res = await opts.otpClient.sendOtp(send, { timeoutMs, contextValues: callValues(req, event, opts) });
  } catch (err) {
    event.span?.setAttribute("otp.phone.masked", maskPhoneNumber(send.phoneNumber));
    return failed(ConnectError.from(err), req, reply, event, opts, now() - receivedAt);
  }
  event.span?.setAttribute("otp.phone.masked", res.maskedPhoneNumber);
  if (opts.delivery === "remote" && res.provider === sandboxProvider && event.kind.realSignIn) {
    return refuseSandbox(req, event);
  }
  const latencyMs = now() - receivedAt;
  // In this process the service's line carries the event's fields (callValues); a façade
  // writes its own, the service being elsewhere.
  if (opts.delivery === "remote") {
    const line = { deliveryId: res.deliveryId, ...event.fields, providerMessageId: res.providerMessageId, latencyMs };
    afterAnswer(() => req.log.info(line, "okta hook: code accepted by carrier"));
  }
  const metadata = `deliveryId=${res.deliveryId};channel=${event.channel};latencyMs=${latencyMs}`;
  return telephonyAction("SUCCESSFUL", res.provider, metadata, res.providerMessageId);
}

/**
 * The call's context values: the request's trace, so the send's spans nest under it, and in
 * this process the event's log fields, for the service's line.
 */
function callValues(req: HookRequest, event: HookEvent, opts: HookHandlerOptions) {
  const values = rpcValuesFor(req.otelContext);
  return opts.delivery === "remote" ? values : values.set(callerLogFieldsKey, event.fields);
}

function describe(req: HookRequest, send: SendInit): HookEvent {
  const body = req.body;
  const kind = eventKind(body);
  const channel = send.channel === Channel.SMS ? "sms" : "voice";
  // Merged into each line rather than bound with child(): a send logs once, and a child logger
  // per request cost more than the line itself. Every key is always present (undefined ones
  // are left out of the line), so every request's object shares one hidden class.
  const fields = {
    channel,
    eventId: body.eventId || undefined,
    requestType: body.requestType || undefined,
    oktaRequestId: body.data.context?.request?.id || undefined,
    preview: kind.preview || undefined,
  };
  const traced = req.otelContext ? trace.getSpan(req.otelContext) : undefined;
  const span = traced?.isRecording() ? traced : undefined;
  span?.setAttributes({
    "okta.event_id": body.eventId ?? "",
    "okta.request_type": body.requestType ?? "",
    "okta.preview": kind.preview,
    "otp.channel": channel,
  });
  return { kind, channel, fields, span };
}

/** The service did not send: a 400 for Okta's own bad input, otherwise an answer Okta acts on. */
function failed(
  ce: ConnectError,
  req: HookRequest,
  reply: FastifyReply,
  event: HookEvent,
  opts: HookHandlerOptions,
  latencyMs: number,
) {
  const outcome = hookOutcome(ce, event.channel);
  const { fields, channel } = event;
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
      const tail = `${outcome.reason};channel=${channel}`;
      if (answer === "failed") return telephonyAction("FAILED", opts.providerName, `reason=${tail}`);
      if (answer === "suppress") return telephonyAction("SUCCESSFUL", opts.providerName, `suppressed=${tail}`);
      return oktaError(outcome.summary, [{ errorSummary: outcome.summary, reason: outcome.oktaReason }]);
    }
    case "failed": {
      const { reason, providerCode } = outcome;
      req.log.warn(
        { code: Code[ce.code], ...fields, reason, providerCode, latencyMs },
        "okta hook: code not sent, Okta will fall back",
      );
      return telephonyAction("FAILED", outcome.provider ?? opts.providerName, `reason=${reason};channel=${channel}`);
    }
  }
}

/**
 * A real org's sign-in reached a gateway that delivers nothing. SUCCESSFUL would stop Okta's
 * fallback and lock the person out; FAILED lets Okta send the code itself.
 */
function refuseSandbox(req: HookRequest, event: HookEvent): OktaTelephonyAction {
  req.log.error(
    event.fields,
    "okta hook: a real Okta org's sign-in reached the sandbox carrier, which delivers nothing; answered FAILED so Okta " +
      "falls back. Set EIGHTBYEIGHT_API_KEY (and NODE_ENV=production) to deliver codes.",
  );
  return telephonyAction("FAILED", sandboxProvider, `reason=sandbox;channel=${event.channel}`);
}

function refusePlaceholder(req: HookRequest, reply: FastifyReply, event: HookEvent) {
  req.log.info(event.fields, "okta hook preview carries Okta's placeholder number; nothing sent");
  const errorSummary =
    "9876543210 is Okta's placeholder, and is never called: edit phoneNumber in the preview request to your own number in E.164 (+14155552671)";
  return reply.code(400).send(
    oktaError("The phone number cannot receive a code", [
      {
        errorSummary,
        reason: "INVALID_PHONE_NUMBER",
        locationType: "body",
        location: "data.messageProfile.phoneNumber",
      },
    ]),
  );
}

/** The SendOtp request for an Okta event. OtpService checks the number and the code itself. */
function sendRequest(body: OktaTelephonyRequest, opts: HookHandlerOptions): SendInit {
  const profile = body.data.messageProfile;
  const now = opts.now();
  const channel = channelOf(body) === "sms" ? Channel.SMS : Channel.VOICE;
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
    clientIp: clientIpOf(body),
  };
}

/** Okta's view of the person's address, when it is one (anything else is left out, not refused). */
function clientIpOf(body: OktaTelephonyRequest): string {
  const ip = body.data.context?.request?.ipAddress?.trim() ?? "";
  return isIP(ip) === 0 ? "" : ip;
}
