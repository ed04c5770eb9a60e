import { type Context, ROOT_CONTEXT, type Span, TraceFlags, trace } from "@opentelemetry/api";
import type { Logger } from "pino";
import type { GatewayMetrics } from "../observability/metrics.js";
import { type CarrierReceipt, type DeliveryRecord, isFinal, type ReceiptOutcome } from "./record.js";

export type DeliveryMetrics = Pick<
  GatewayMetrics,
  "deliveryReceipts" | "timeToDelivery" | "deliveriesUnconfirmed" | "webhookRequests" | "conversions"
>;

export interface Reporting {
  readonly logger: Logger;
  readonly metrics?: DeliveryMetrics;
}

const tracer = trace.getTracer("otp-gateway/delivery");

/**
 * A span for one receipt, under the webhook request's; `linkToSend` joins it to the send's span
 * once the record is known.
 */
export function receiptSpan(receipt: CarrierReceipt, parent: Context = ROOT_CONTEXT): Span {
  const attributes = {
    "otp.channel": receipt.channel,
    "otp.provider.message_id": receipt.providerMessageId,
    "otp.provider.state": receipt.providerState,
    "otp.provider.error_code": receipt.errorCode,
  };
  return tracer.startSpan("otp.delivery.receipt", { attributes }, parent);
}

/** Links the receipt's span to the send's (a trace viewer joins the two) and names the send. */
export function linkToSend(span: Span, record: DeliveryRecord): void {
  if (record.traceId !== "" && record.spanId !== "") {
    span.addLink({ context: { traceId: record.traceId, spanId: record.spanId, traceFlags: TraceFlags.SAMPLED } });
  }
  span.setAttributes({ "otp.delivery_id": record.deliveryId, "otp.phone.masked": record.maskedPhone });
}

/** Metrics and the log line of a receipt taken for a known send. */
export function reportReceipt(
  reporting: Reporting,
  receipt: CarrierReceipt,
  before: DeliveryRecord,
  after: DeliveryRecord,
  outcome: ReceiptOutcome,
  receivedAt: number,
): void {
  const { metrics, logger } = reporting;
  if (outcome !== "duplicate") {
    const state = receipt.state ?? "unknown";
    metrics?.deliveryReceipts.inc({ channel: receipt.channel, state, country: before.country || "ZZ" });
  }
  if (outcome === "applied" && isFinal(after.state) && !isFinal(before.state)) {
    metrics?.timeToDelivery.observe({ channel: after.channel }, Math.max(0, receivedAt - after.acceptedAt) / 1000);
  }
  logger.info(
    {
      deliveryId: after.deliveryId,
      channel: after.channel,
      to: after.maskedPhone,
      providerMessageId: receipt.providerMessageId,
      providerState: receipt.providerState,
      errorCode: receipt.errorCode,
      state: after.state,
      outcome,
    },
    `delivery receipt: ${receipt.providerState} (${outcome})`,
  );
}
