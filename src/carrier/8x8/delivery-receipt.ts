import type { DeliveryState, ReceiptReading } from "../receipt.js";
import { envelope, numberField, objectField, textField, timeField } from "./webhook-fields.js";

// 8x8's SMS status words (message-status docs, and the message-details API's extra ones).
const smsStates: Record<string, DeliveryState> = {
  queued: "accepted",
  sent: "sent",
  delivered: "delivered",
  read: "delivered",
  ok: "delivered",
  undelivered: "undelivered",
  rejected: "rejected",
  expired: "expired",
  failed: "failed",
  error: "failed",
};

// DLR error code 36 is "SMS expired"; 8x8 reports it as undelivered.
const expiredCode = "36";

/**
 * An 8x8 SMS webhook body: `outbound_message_status_changed` is a receipt; other events
 * (`inbound_message_received`) are acknowledged and not used. A state 8x8 has not documented
 * is kept as sent, with no meaning attached.
 */
export function readSmsReceipt(body: unknown): ReceiptReading {
  const env = envelope(body);
  if (!env) return { kind: "invalid", reason: "body is not a JSON object" };
  const eventType = env.eventType.toLowerCase();
  if (eventType !== "" && eventType !== "outbound_message_status_changed") {
    return { kind: "ignored", eventType: env.eventType.slice(0, 64) };
  }
  const { payload } = env;
  const umid = textField(payload, "umid", 128);
  if (!umid) return { kind: "invalid", reason: "payload.umid is missing" };
  const status = objectField(payload, "status");
  const providerState = textField(status, "state", 64);
  if (!providerState) return { kind: "invalid", reason: "payload.status.state is missing" };
  const errorCode = textField(status, "errorCode", 16);
  let state = smsStates[providerState.toLowerCase()];
  if (state === "undelivered" && errorCode === expiredCode) state = "expired";
  const price = objectField(payload, "price");
  return {
    kind: "receipt",
    receipt: {
      channel: "sms",
      providerMessageId: umid,
      providerState,
      state,
      detail: textField(status, "detail", 64),
      errorCode,
      errorDescription: textField(status, "errorMessage"),
      at: timeField(status, "timestamp"),
      price: numberField(price, "total"),
      currency: textField(price, "currency", 8),
      smsCount: numberField(payload, "smsCount"),
    },
  };
}
