import { hash, randomUUID } from "node:crypto";
import { fromJson, toJson } from "@bufbuild/protobuf";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, type ConnectRouter, type HandlerContext, type ServiceImpl } from "@connectrpc/connect";
import { trace } from "@opentelemetry/api";
import { isSupportedCountry, type CountryCode } from "libphonenumber-js/max";
import type { Logger } from "pino";
import {
  CarrierErrorDetailSchema,
  Channel,
  DeliveryStatus,
  OtpService,
  PolicyDetailSchema,
  RateLimitDetailSchema,
  SendOtpResponseSchema,
  type SendOtpRequest,
  type SendOtpResponse,
} from "../../gen/otp/v1/otp_pb.js";
import { afterAnswer } from "../after-answer.js";
import { CarrierError, type Carrier, type CarrierAcceptance } from "../carrier/carrier.js";
import type { GatewayMetrics } from "../observability/metrics.js";
import { parsePhoneNumber, PhoneNumberError, type PhoneNumber } from "../phone.js";
import { checkDestination, defaultDestinationPolicy, type DestinationPolicy } from "../policy/destination-policy.js";
import { rulesFor, type RateLimitSettings } from "../policy/limits.js";
import type { IdempotencyStore, RecordedOutcome } from "../store/idempotency-store.js";
import type { RateLimitStore } from "../store/rate-limit-store.js";
import { callerKey } from "./caller.js";
import { codePattern, idempotencyKeyPattern } from "./request-rules.js";
import { connectErrorFromCarrier } from "./errors.js";
import { smsText } from "./sms-text.js";
import { voiceProfileFor, voiceScript } from "./voice-script.js";

export interface OtpServiceDeps {
  readonly carrier: Carrier;
  readonly logger: Logger;
  readonly now?: () => number;
  readonly newId?: () => string;
  readonly defaultRegion?: CountryCode;
  /** SMS text when the caller sends none; must contain "{code}". */
  readonly smsTemplate: string;
  readonly voiceProfileOverride?: string;
  /** Carrier time budget for callers that set no deadline. */
  readonly defaultTimeoutMs: number;
  /** Makes sends with an idempotency key happen at most once. */
  readonly idempotency?: IdempotencyStore;
  /** How long an idempotency key's answer is remembered. */
  readonly idempotencyTtlMs?: number;
  /** Sends in flight at once; more are refused at once with ResourceExhausted. */
  readonly maxConcurrentSends?: number;
  /** Which destinations may receive a code, per channel. */
  readonly destinationPolicy?: DestinationPolicy;
  readonly rateLimits?: { readonly settings: RateLimitSettings; readonly store: RateLimitStore; readonly failOpen: boolean };
  readonly metrics?: GatewayMetrics;
}

// Time kept back from the caller's deadline so our answer still reaches them before it expires.
const answerMarginMs = 50;
const maxTextLength = 1000;

/** The OtpService handlers: validate, deduplicate, then hand the send to the carrier. */
export function createOtpService(deps: OtpServiceDeps): ServiceImpl<typeof OtpService> {
  const now = deps.now ?? Date.now;
  const newId = deps.newId ?? randomUUID;
  const ttlMs = deps.idempotencyTtlMs ?? 15 * 60_000;
  const maxInFlight = deps.maxConcurrentSends ?? Infinity;
  const policy = deps.destinationPolicy ?? defaultDestinationPolicy();
  let inFlight = 0;

  function count(channel: string, outcome: string) {
    deps.metrics?.sendOutcomes.inc({ channel, outcome });
  }

  /** Destination policy and send limits, checked before any money is spent. */
  async function admit(req: SendOtpRequest, send: ValidSend, caller: string, id: string): Promise<void> {
    const channel = send.channelName;
    const refusal = checkDestination(policy, channel, send.phone);
    if (refusal) {
      count(channel, `policy_${refusal}`);
      deps.logger.warn({ caller, channel, to: send.phone.masked, region: send.phone.region, type: send.phone.type, reason: refusal }, "destination refused by policy");
      trace.getActiveSpan()?.setAttribute("otp.refused", refusal);
      throw new ConnectError("the destination is not allowed by the gateway's policy", Code.PermissionDenied, undefined, [
        { desc: PolicyDetailSchema, value: { reason: refusal } },
      ]);
    }
    const limits = deps.rateLimits;
    if (!limits) return;
    const rules = rulesFor(limits.settings, {
      e164: send.phone.e164,
      region: send.phone.region ?? "ZZ",
      userId: req.userId,
      purpose: req.purpose,
    });
    if (rules.length === 0) return;
    let decision;
    try {
      decision = await limits.store.hit(rules, id);
    } catch (err) {
      deps.logger.warn({ err, failOpen: limits.failOpen }, "rate limit store unavailable");
      if (limits.failOpen) return;
      count(channel, "rate_limit_store_down");
      throw new ConnectError("send limits cannot be checked right now", Code.Unavailable);
    }
    if (!decision.allowed) {
      count(channel, `rate_limited_${decision.rule}`);
      deps.logger.warn(
        { caller, channel, to: send.phone.masked, limit: decision.rule, retryAfterMs: decision.retryAfterMs, purpose: req.purpose || undefined },
        "send refused by rate limit",
      );
      trace.getActiveSpan()?.setAttribute("otp.refused", `rate_limited_${decision.rule}`);
      throw new ConnectError("too many codes sent; try again later", Code.ResourceExhausted, undefined, [
        { desc: RateLimitDetailSchema, value: { limit: decision.rule, retryAfterMs: Math.ceil(decision.retryAfterMs) } },
      ]);
    }
  }

  async function deliver(req: SendOtpRequest, send: ValidSend, ctx: HandlerContext, caller: string): Promise<SendOtpResponse> {
    await admit(req, send, caller, newId());
    // Queuing past this point would only make every caller miss its deadline; a quick refusal
    // lets Okta fall back while the gateway catches up.
    if (inFlight >= maxInFlight) {
      count(send.channelName, "overloaded");
      deps.logger.warn({ inFlight, caller }, "overloaded: send refused");
      throw new ConnectError("the gateway is overloaded; try again shortly", Code.ResourceExhausted);
    }
    inFlight += 1;
    try {
      return await deliverNow(req, send, ctx, caller);
    } finally {
      inFlight -= 1;
    }
  }

  async function deliverNow(req: SendOtpRequest, send: ValidSend, ctx: HandlerContext, caller: string): Promise<SendOtpResponse> {
    const started = now();
    const deliveryId = newId();
    const channelName = send.channelName;
    const span = trace.getActiveSpan();
    span?.setAttributes({
      "otp.delivery_id": deliveryId,
      "otp.caller": caller,
      "otp.channel": channelName,
      "otp.phone.masked": send.phone.masked,
      ...(send.phone.region ? { "otp.phone.region": send.phone.region } : {}),
      ...(req.purpose ? { "otp.purpose": req.purpose } : {}),
    });
    // Merged into the line rather than bound with child(): a send writes one line.
    const fields = {
      deliveryId,
      caller,
      channel: channelName,
      to: send.phone.masked,
      ...(req.purpose ? { purpose: req.purpose } : {}),
      ...(req.userId ? { userId: req.userId } : {}),
    };

    const remaining = ctx.timeoutMs();
    const timeoutMs = Math.max(1, Math.min(deps.defaultTimeoutMs, (remaining ?? Infinity) - answerMarginMs));
    const options = { timeoutMs, signal: ctx.signal };
    let accepted: CarrierAcceptance;
    try {
      accepted =
        send.channel === Channel.SMS
          ? await deps.carrier.sendSms(
              {
                to: send.phone.e164,
                text: send.text,
                clientMessageId: clientMessageId(req.idempotencyKey, deliveryId),
                ...(send.expiresAt ? { expiresAt: send.expiresAt } : {}),
              },
              options,
            )
          : await deps.carrier.placeVoiceCall(
              {
                to: send.phone.e164,
                text: voiceScript(req.code),
                voiceProfile: voiceProfileFor(req.locale, deps.voiceProfileOverride),
                repetition: 1,
                ...(send.expiresAt ? { expiresAt: send.expiresAt } : {}),
              },
              options,
            );
    } catch (err) {
      if (!(err instanceof CarrierError)) throw err;
      count(channelName, `carrier_${err.failure}`);
      span?.setAttributes({
        "otp.provider": err.provider,
        "otp.carrier.failure": err.failure,
        ...(err.providerCode ? { "otp.provider.error_code": err.providerCode } : {}),
        ...(err.providerErrorId ? { "otp.provider.error_id": err.providerErrorId } : {}),
        ...(err.httpStatus ? { "otp.provider.http_status": err.httpStatus } : {}),
      });
      deps.logger.warn(
        {
          provider: err.provider,
          ...fields,
          failure: err.failure,
          providerCode: err.providerCode,
          providerErrorId: err.providerErrorId,
          httpStatus: err.httpStatus,
          latencyMs: now() - started,
        },
        `carrier did not accept the send: ${err.message}`,
      );
      throw err;
    }

    count(channelName, "accepted");
    span?.setAttributes({
      "otp.provider": deps.carrier.name,
      "otp.provider.message_id": accepted.providerMessageId,
      "otp.provider.status": accepted.providerStatus,
    });
    const line = {
      provider: deps.carrier.name,
      ...fields,
      providerMessageId: accepted.providerMessageId,
      providerStatus: accepted.providerStatus,
      latencyMs: now() - started,
    };
    afterAnswer(() => deps.logger.info(line, "carrier accepted the send"));
    return {
      $typeName: "otp.v1.SendOtpResponse",
      deliveryId,
      provider: deps.carrier.name,
      providerMessageId: accepted.providerMessageId,
      status: DeliveryStatus.ACCEPTED,
      channel: send.channel,
      maskedPhoneNumber: send.phone.masked,
    };
  }

  /** Sends once per key: repeats get the recorded answer, or wait for the first to finish. */
  async function deliverOnce(req: SendOtpRequest, send: ValidSend, ctx: HandlerContext, caller: string, store: IdempotencyStore) {
    const key = `${caller}:${req.idempotencyKey}`;
    const fingerprint = fingerprintOf(send, req);
    // Only the unusual paths log here; a child logger per send would be built for nothing.
    const log = () => deps.logger.child({ caller, idempotencyKey: req.idempotencyKey });
    // Two rounds: a repeat that waited on a first attempt which was then released may claim.
    for (let round = 0; round < 2; round++) {
      let claim;
      try {
        claim = await store.claim(key, fingerprint, ttlMs);
      } catch (err) {
        // Sending twice is bad; not sending at all locks a person out, which is worse.
        log().warn({ err }, "idempotency store unavailable; sending without duplicate protection");
        return deliver(req, send, ctx, caller);
      }
      if (claim.claimed) return settleAfter(store, key, send, deliver(req, send, ctx, caller), log);

      const record = claim.record.outcome ? claim.record : await store.wait(key, (ctx.timeoutMs() ?? deps.defaultTimeoutMs) - answerMarginMs, ctx.signal);
      if (record && record.fingerprint !== fingerprint) {
        throw new ConnectError("idempotency_key was already used for a different request", Code.AlreadyExists);
      }
      if (record?.outcome) {
        trace.getActiveSpan()?.setAttribute("otp.idempotent_replay", true);
        log().info("repeat of an earlier request: replaying its answer");
        return replay(record.outcome, send);
      }
      if (ctx.signal.aborted || (ctx.timeoutMs() ?? 1) <= answerMarginMs) break;
    }
    throw new ConnectError("an identical request is still in progress", Code.DeadlineExceeded);
  }

  async function settleAfter(store: IdempotencyStore, key: string, send: ValidSend, sending: Promise<SendOtpResponse>, log: () => Logger) {
    let res: SendOtpResponse;
    try {
      res = await sending;
    } catch (err) {
      // Only failures where the carrier provably took nothing are forgotten, so a retry may
      // send; anything that may have gone out is replayed instead of sent again.
      if (!(err instanceof CarrierError) || err.notSent) {
        await store.release(key).catch((e: unknown) => log().warn({ err: e }, "could not release idempotency key"));
        throw err;
      }
      const ce = connectErrorFromCarrier(err);
      const detail = ce.findDetails(CarrierErrorDetailSchema)[0];
      const outcome: RecordedOutcome = {
        kind: "error",
        code: ce.code,
        message: ce.rawMessage,
        ...(detail ? { detail: toJson(CarrierErrorDetailSchema, detail) } : {}),
      };
      await store.settle(key, outcome, ttlMs).catch((e: unknown) => log().warn({ err: e }, "could not record idempotent answer"));
      // The first caller gets exactly what later repeats will get.
      return replay(outcome, send);
    }
    // The answer does not wait for its record: a repeat arriving meanwhile finds the key claimed
    // and waits for the record, as it would for a send in flight. That keeps a Redis round trip
    // (in memory, the answer's JSON) off every send's latency (bench/run.ts, hook @1 p99).
    // Only what a repeat cannot rebuild is recorded: status is ACCEPTED for every ok outcome,
    // and the channel and masked number are the repeat's own (its fingerprint matched). That
    // keeps a remembered key at about 345 bytes instead of 450 (IDEMPOTENCY_MAX_KEYS of them).
    const recorded = { deliveryId: res.deliveryId, provider: res.provider, providerMessageId: res.providerMessageId };
    const record = async () => store.settle(key, { kind: "ok", response: recorded }, ttlMs);
    afterAnswer(() => void record().catch((e: unknown) => log().warn({ err: e }, "could not record idempotent answer")));
    return res;
  }

  return {
    async sendOtp(req: SendOtpRequest, ctx: HandlerContext): Promise<SendOtpResponse> {
      const send = validate(req, deps, now());
      const caller = ctx.values.get(callerKey);
      try {
        return req.idempotencyKey !== "" && deps.idempotency
          ? await deliverOnce(req, send, ctx, caller, deps.idempotency)
          : await deliver(req, send, ctx, caller);
      } catch (err) {
        throw err instanceof CarrierError ? connectErrorFromCarrier(err) : err;
      }
    },
  };
}

/** Rebuilds the recorded answer: the response, or the same error with the same detail. */
function replay(outcome: RecordedOutcome, send: ValidSend): SendOtpResponse {
  if (outcome.kind === "ok") {
    // Records from before the compact form carry the whole response; the values agree.
    return {
      ...fromJson(SendOtpResponseSchema, outcome.response, { ignoreUnknownFields: true }),
      status: DeliveryStatus.ACCEPTED,
      channel: send.channel,
      maskedPhoneNumber: send.phone.masked,
    };
  }
  const details = outcome.detail ? [{ desc: CarrierErrorDetailSchema, value: fromJson(CarrierErrorDetailSchema, outcome.detail) }] : [];
  throw new ConnectError(outcome.message, outcome.code as Code, undefined, details);
}

function fingerprintOf(send: ValidSend, req: SendOtpRequest): string {
  return hash("sha256", [send.channel, send.phone.e164, req.code, send.text, req.locale].join("\u0000"), "base64url").slice(0, 22);
}

/** Mounts OtpService on a Connect router. */
export function otpRoutes(service: ServiceImpl<typeof OtpService>): (router: ConnectRouter) => void {
  return (router) => {
    router.service(OtpService, service);
  };
}

interface ValidSend {
  readonly channel: Channel.SMS | Channel.VOICE;
  /** The channel as logs, spans, metrics and the policy name it. */
  readonly channelName: "sms" | "voice";
  readonly phone: PhoneNumber;
  readonly text: string;
  readonly expiresAt?: Date;
}

function invalid(message: string): ConnectError {
  return new ConnectError(message, Code.InvalidArgument);
}

function validate(req: SendOtpRequest, deps: OtpServiceDeps, now: number): ValidSend {
  if (req.channel !== Channel.SMS && req.channel !== Channel.VOICE) {
    throw invalid("channel must be CHANNEL_SMS or CHANNEL_VOICE");
  }
  if (!codePattern.test(req.code)) throw invalid("code must be 4 to 10 letters or digits");
  if (req.idempotencyKey !== "" && !idempotencyKeyPattern.test(req.idempotencyKey)) {
    throw invalid("idempotency_key must be at most 128 characters of A-Z a-z 0-9 . _ : -");
  }
  if (req.purpose.length > 128) throw invalid("purpose must be at most 128 characters");
  if (req.userId.length > 128) throw invalid("user_id must be at most 128 characters");
  if (req.locale.length > 35) throw invalid("locale must be at most 35 characters");
  if (req.text.length > maxTextLength) throw invalid(`text must be at most ${maxTextLength} characters`);

  let region = deps.defaultRegion;
  if (req.defaultRegion !== "") {
    const upper = req.defaultRegion.toUpperCase();
    if (!isSupportedCountry(upper)) throw invalid("default_region must be an ISO 3166-1 alpha-2 region such as US");
    region = upper;
  }
  let phone: PhoneNumber;
  try {
    phone = parsePhoneNumber(req.phoneNumber, region);
  } catch (err) {
    if (err instanceof PhoneNumberError) throw invalid(`phone_number: ${err.message}`);
    throw err;
  }

  let expiresAt: Date | undefined;
  if (req.expiresAt) {
    expiresAt = timestampDate(req.expiresAt);
    if (expiresAt.getTime() <= now) throw invalid("expires_at is in the past: the code has already expired");
  }

  let text = "";
  if (req.channel === Channel.SMS) {
    const body = smsText(req.code, req.text, deps.smsTemplate);
    if (body === undefined) throw invalid("text must contain the code (or a {code} placeholder)");
    text = body;
  }
  return {
    channel: req.channel,
    channelName: req.channel === Channel.SMS ? "sms" : "voice",
    phone,
    text,
    ...(expiresAt ? { expiresAt } : {}),
  };
}

/**
 * 8x8 echoes clientMessageId in receipts, so it should lead back to the request; its limit is 50
 * characters on the live API, so longer keys are hashed to fit.
 */
export function clientMessageId(idempotencyKey: string, deliveryId: string): string {
  if (idempotencyKey === "") return deliveryId;
  if (idempotencyKey.length <= 50) return idempotencyKey;
  return hash("sha256", idempotencyKey, "base64url").slice(0, 43);
}
