import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { Channel, Conversion, type Delivery, DeliverySchema, DeliveryStatus } from "../../../gen/otp/v1/otp_pb.js";
import { type DeliveryRecord, type DeliveryState, isFinal } from "../../delivery/record.js";

const statuses: Record<DeliveryState, DeliveryStatus> = {
  accepted: DeliveryStatus.ACCEPTED,
  sent: DeliveryStatus.SENT,
  delivered: DeliveryStatus.DELIVERED,
  undelivered: DeliveryStatus.UNDELIVERED,
  rejected: DeliveryStatus.REJECTED,
  expired: DeliveryStatus.EXPIRED,
  answered: DeliveryStatus.ANSWERED,
  not_answered: DeliveryStatus.NOT_ANSWERED,
  busy: DeliveryStatus.BUSY,
  failed: DeliveryStatus.FAILED,
  unconfirmed: DeliveryStatus.UNCONFIRMED,
};

/** A stored record as the API shows it. */
export function deliveryMessage(record: DeliveryRecord): Delivery {
  return create(DeliverySchema, {
    deliveryId: record.deliveryId,
    provider: record.provider,
    providerMessageId: record.providerMessageId,
    channel: record.channel === "voice" ? Channel.VOICE : Channel.SMS,
    maskedPhoneNumber: record.maskedPhone,
    country: record.country,
    caller: record.caller,
    purpose: record.purpose,
    userId: record.userId,
    idempotencyKey: record.idempotencyKey,
    status: statuses[record.state],
    providerState: record.providerState ?? "",
    errorCode: record.errorCode ?? "",
    errorDescription: record.errorDescription ?? "",
    price: record.price,
    currency: record.currency ?? "",
    acceptedAt: timestampFromMs(record.acceptedAt),
    updatedAt: timestampFromMs(record.updatedAt),
    events: record.events.map((e) => ({
      status: e.state === undefined ? DeliveryStatus.UNSPECIFIED : statuses[e.state],
      providerState: e.providerState ?? "",
      detail: e.detail ?? "",
      errorCode: e.errorCode ?? "",
      at: timestampFromMs(e.at),
    })),
    traceId: record.traceId,
    spanId: record.spanId,
    smsCount: record.smsCount ?? 0,
    final: isFinal(record.state),
    convertedAt: record.convertedAt === undefined ? undefined : timestampFromMs(record.convertedAt),
    conversion: conversionOf(record.conversion),
  });
}

export function conversionOf(c: DeliveryRecord["conversion"]): Conversion {
  return c === "converted"
    ? Conversion.CONVERTED
    : c === "not_converted"
      ? Conversion.NOT_CONVERTED
      : Conversion.UNSPECIFIED;
}
