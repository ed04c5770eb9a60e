import { createHash, randomUUID } from "node:crypto";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, type ConnectRouter, type HandlerContext, type ServiceImpl } from "@connectrpc/connect";
import { trace } from "@opentelemetry/api";
import { isSupportedCountry, type CountryCode } from "libphonenumber-js/max";
import type { Logger } from "pino";
import {
  Channel,
  DeliveryStatus,
  OtpService,
  type SendOtpRequest,
  type SendOtpResponse,
} from "../../gen/otp/v1/otp_pb.js";
import { CarrierError, type Carrier, type CarrierAcceptance } from "../carrier/carrier.js";
import { parsePhoneNumber, PhoneNumberError, type PhoneNumber } from "../phone.js";
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
}

// Time kept back from the caller's deadline so our answer still reaches them before it expires.
const answerMarginMs = 50;
const codePattern = /^[A-Za-z0-9]{4,10}$/;
const keyPattern = /^[A-Za-z0-9._:-]{1,128}$/;
const maxTextLength = 1000;

/** The OtpService handlers: validate, then hand the send to the carrier. */
export function createOtpService(deps: OtpServiceDeps): ServiceImpl<typeof OtpService> {
  const now = deps.now ?? Date.now;
  const newId = deps.newId ?? randomUUID;

  return {
    async sendOtp(req: SendOtpRequest, ctx: HandlerContext): Promise<SendOtpResponse> {
      const started = now();
      const send = validate(req, deps, now());
      const deliveryId = newId();
      const span = trace.getActiveSpan();
      span?.setAttributes({
        "otp.delivery_id": deliveryId,
        "otp.channel": send.channel === Channel.SMS ? "sms" : "voice",
        "otp.phone.masked": send.phone.masked,
        ...(send.phone.region ? { "otp.phone.region": send.phone.region } : {}),
        ...(req.purpose ? { "otp.purpose": req.purpose } : {}),
      });
      const log = deps.logger.child({
        deliveryId,
        channel: send.channel === Channel.SMS ? "sms" : "voice",
        to: send.phone.masked,
        ...(req.purpose ? { purpose: req.purpose } : {}),
        ...(req.userId ? { userId: req.userId } : {}),
      });

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
        span?.setAttributes({
          "otp.provider": err.provider,
          "otp.carrier.failure": err.failure,
          ...(err.providerCode ? { "otp.provider.error_code": err.providerCode } : {}),
          ...(err.providerErrorId ? { "otp.provider.error_id": err.providerErrorId } : {}),
          ...(err.httpStatus ? { "otp.provider.http_status": err.httpStatus } : {}),
        });
        log.warn(
          {
            provider: err.provider,
            failure: err.failure,
            providerCode: err.providerCode,
            providerErrorId: err.providerErrorId,
            httpStatus: err.httpStatus,
            latencyMs: now() - started,
          },
          `carrier did not accept the send: ${err.message}`,
        );
        throw connectErrorFromCarrier(err);
      }

      span?.setAttributes({
        "otp.provider": deps.carrier.name,
        "otp.provider.message_id": accepted.providerMessageId,
        "otp.provider.status": accepted.providerStatus,
      });
      log.info(
        {
          provider: deps.carrier.name,
          providerMessageId: accepted.providerMessageId,
          providerStatus: accepted.providerStatus,
          latencyMs: now() - started,
        },
        "carrier accepted the send",
      );
      return {
        $typeName: "otp.v1.SendOtpResponse",
        deliveryId,
        provider: deps.carrier.name,
        providerMessageId: accepted.providerMessageId,
        status: DeliveryStatus.ACCEPTED,
        channel: send.channel,
        maskedPhoneNumber: send.phone.masked,
      };
    },
  };
}

/** Mounts OtpService on a Connect router. */
export function otpRoutes(service: ServiceImpl<typeof OtpService>): (router: ConnectRouter) => void {
  return (router) => {
    router.service(OtpService, service);
  };
}

interface ValidSend {
  readonly channel: Channel.SMS | Channel.VOICE;
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
  if (req.idempotencyKey !== "" && !keyPattern.test(req.idempotencyKey)) {
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
  return { channel: req.channel, phone, text, ...(expiresAt ? { expiresAt } : {}) };
}

/**
 * 8x8 echoes clientMessageId in receipts, so it should lead back to the request; its limit is 50
 * characters on the live API, so longer keys are hashed to fit.
 */
export function clientMessageId(idempotencyKey: string, deliveryId: string): string {
  if (idempotencyKey === "") return deliveryId;
  if (idempotencyKey.length <= 50) return idempotencyKey;
  return createHash("sha256").update(idempotencyKey).digest("base64url").slice(0, 43);
}
