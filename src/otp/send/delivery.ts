import { isSpanContextValid, type Span } from "@opentelemetry/api";
import { Channel, DeliveryStatus } from "../../../gen/otp/v1/otp_pb.js";
import { afterAnswer } from "../../after-answer.js";
import { type Carrier, type CarrierAcceptance, CarrierError, type SendOptions } from "../../carrier/index.js";
import type { AcceptedSend, DeliveryTracker } from "../../delivery/tracker.js";
import { defaultLanguage, spokenLanguage } from "../../i18n/locale.js";
import { contextWith, traceFields } from "../../observability/trace-context.js";
import { callerLogFieldsKey, endsOnlyAtDeadlineKey } from "../caller.js";
import type { ValidSend } from "../validation.js";
import { voiceScript } from "../voice-script.js";
import { answerMarginMs, countOutcome, type Send, type SendCall, type SendReporting, spanOfCall } from "./send.js";

export interface DeliveryOptions extends SendReporting {
  readonly carrier: Carrier;
  /** Carrier time budget for callers that set no deadline. */
  readonly defaultTimeoutMs: number;
  readonly now: () => number;
  readonly newId: () => string;
  /** Where accepted sends are recorded for their receipts; none: nothing is recorded. */
  readonly deliveries?: DeliveryTracker;
}

/** The last step: hands the send to the carrier and reports what it said. */
export function createDelivery(options: DeliveryOptions): Send {
  const { carrier, logger, now } = options;
  return async (send, call) => {
    const started = now();
    const deliveryId = options.newId();
    const channel = send.channelName;
    const span = spanOfCall(call);
    // The language the person is addressed in: the call's script, or the template the gateway chose.
    const locale =
      send.channel === Channel.VOICE
        ? spokenLanguage(send.locale, (l) => carrier.speaks?.(l) ?? true)
        : send.textLanguage;
    span?.setAttributes({
      "otp.locale": locale,
      "otp.delivery_id": deliveryId,
      "otp.caller": call.caller,
      "otp.channel": channel,
      "otp.phone.masked": send.phone.masked,
      "otp.phone.region": send.phone.region,
      "otp.purpose": send.purpose || undefined,
    });
    // Merged into the line rather than bound with child(): a send writes one line.
    const fields = {
      deliveryId,
      caller: call.caller,
      channel,
      to: send.phone.masked,
      purpose: send.purpose || undefined,
      userId: send.userId || undefined,
      locale,
      ...traceFields(span),
    };
    let accepted: CarrierAcceptance;
    try {
      accepted = await toCarrier(carrier, send, deliveryId, locale, sendOptions(call, span, options.defaultTimeoutMs));
    } catch (err) {
      if (!(err instanceof CarrierError)) throw err;
      countOutcome(options, send, `carrier_${err.failure}`);
      recordFailure(span, err);
      logger.warn(
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

    countOutcome(options, send, "accepted");
    span?.setAttributes({
      "otp.provider": carrier.name,
      "otp.provider.message_id": accepted.providerMessageId,
      "otp.provider.status": accepted.providerStatus,
      "otp.voice_profile": accepted.voiceProfile,
    });
    const { providerMessageId, providerStatus, voiceProfile } = accepted;
    const line = {
      provider: carrier.name,
      // The caller's fields first: where both name a thing (the channel), the service's say what was sent.
      ...call.ctx.values.get(callerLogFieldsKey),
      ...fields,
      voiceProfile,
      providerMessageId,
      providerStatus,
      latencyMs: now() - started,
    };
    afterAnswer(() => logger.info(line, "carrier accepted the send"));
    await options.deliveries?.accepted(acceptedSend(send, call, deliveryId, carrier.name, accepted, span));
    return {
      $typeName: "otp.v1.SendOtpResponse",
      deliveryId,
      provider: carrier.name,
      providerMessageId,
      status: DeliveryStatus.ACCEPTED,
      channel: send.channel,
      maskedPhoneNumber: send.phone.masked,
    };
  };
}

/** The carrier's budget: the caller's deadline less the margin for our answer, or the default. */
function sendOptions(call: SendCall, span: Span | undefined, defaultTimeoutMs: number): SendOptions {
  const remaining = call.ctx.timeoutMs() ?? Infinity;
  const timeoutMs = Math.max(1, Math.min(defaultTimeoutMs, remaining - answerMarginMs));
  // No signal where only the deadline could abort it: timeoutMs ends the call before that.
  const signal = call.ctx.values.get(endsOnlyAtDeadlineKey) ? undefined : call.ctx.signal;
  // The carrier call's span only in a recorded trace.
  return { timeoutMs, signal, trace: span?.isRecording() ? contextWith(span) : undefined };
}

function toCarrier(
  carrier: Carrier,
  send: ValidSend,
  deliveryId: string,
  language: string | undefined,
  options: SendOptions,
): Promise<CarrierAcceptance> {
  const { e164: to } = send.phone;
  if (send.channel === Channel.SMS) {
    const reference = send.idempotencyKey || deliveryId;
    const message = { to, text: send.text, reference, expiresAt: send.expiresAt, clientIp: send.clientIp };
    return carrier.sendSms(message, options);
  }
  const spoken = language ?? defaultLanguage;
  const text = voiceScript(send.code, spoken);
  const call = { to, text, locale: send.locale, language: spoken, repetition: 1, expiresAt: send.expiresAt };
  return carrier.placeVoiceCall(call, options);
}

/** What the delivery record keeps of an accepted send. */
function acceptedSend(
  send: ValidSend,
  call: SendCall,
  deliveryId: string,
  provider: string,
  accepted: CarrierAcceptance,
  span: Span | undefined,
): AcceptedSend {
  return {
    deliveryId,
    provider,
    providerMessageId: accepted.providerMessageId,
    providerStatus: accepted.providerStatus,
    channel: send.channel === Channel.VOICE ? "voice" : "sms",
    maskedPhone: send.phone.masked,
    country: send.phone.region ?? "",
    caller: call.caller,
    purpose: send.purpose,
    userId: send.userId,
    idempotencyKey: send.idempotencyKey,
    ...traceIds(span),
  };
}

/** The send's span, for the receipt's span to link to; empty when tracing is off. */
function traceIds(span: Span | undefined): { traceId: string; spanId: string } {
  const context = span?.spanContext();
  return context && isSpanContextValid(context)
    ? { traceId: context.traceId, spanId: context.spanId }
    : { traceId: "", spanId: "" };
}

function recordFailure(span: Span | undefined, err: CarrierError): void {
  span?.setAttributes({
    "otp.provider": err.provider,
    "otp.carrier.failure": err.failure,
    "otp.provider.error_code": err.providerCode,
    "otp.provider.error_id": err.providerErrorId,
    "otp.provider.http_status": err.httpStatus,
  });
}
