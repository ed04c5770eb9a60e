import type { DeliveryState, ReceiptReading } from "../receipt.js";
import { envelope, field, objectField, textField, timeField } from "./webhook-fields.js";

// 8x8's voice session outcomes; "CANCELLED" is how one of its pages spells it.
const sessionStates: Record<string, DeliveryState> = {
  COMPLETED: "answered",
  COMPLETED_UNSUBSCRIBED: "answered",
  COMPLETED_UNSUB_ERROR: "answered",
  NO_ANSWER: "not_answered",
  CANCELED: "not_answered",
  CANCELLED: "not_answered",
  BUSY: "busy",
  FAILED: "failed",
  ERROR: "failed",
  UNSUBSCRIBED_CONTACT: "rejected",
};

/**
 * An 8x8 voice webhook body: `SESSION_SUMMARY` (VSS) is the call's outcome; call-status and
 * call-action events are acknowledged and not used.
 */
export function readSessionSummary(body: unknown): ReceiptReading {
  const env = envelope(body);
  if (!env) return { kind: "invalid", reason: "body is not a JSON object" };
  if (env.eventType !== "" && env.eventType.toUpperCase() !== "SESSION_SUMMARY") {
    return { kind: "ignored", eventType: env.eventType.slice(0, 64) };
  }
  const { payload } = env;
  const sessionId = textField(payload, "sessionId", 128);
  if (!sessionId) return { kind: "invalid", reason: "payload.sessionId is missing" };
  const providerState = textField(payload, "sessionStatus", 64);
  if (!providerState) return { kind: "invalid", reason: "payload.sessionStatus is missing" };
  const error = objectField(payload, "errorDetails");
  const leg = firstLeg(objectField(payload, "details"));
  return {
    kind: "receipt",
    receipt: {
      channel: "voice",
      providerMessageId: sessionId,
      providerState,
      state: sessionStates[providerState.toUpperCase()],
      detail: textField(payload, "lastAction", 64) ?? (leg && textField(leg, "callStatus", 64)),
      errorCode: textField(error, "errorCode", 16),
      errorDescription: textField(error, "errorMsg") ?? textField(error, "errorMessage"),
      at: timeField(payload, "endTime") ?? (leg && timeField(leg, "disconnectedTimestamp")),
    },
  };
}

/** The call to the person: leg A, however it is spelled. */
function firstLeg(details: Record<string, unknown>): Record<string, unknown> | undefined {
  const leg = field(details, "callA");
  return leg !== null && typeof leg === "object" && !Array.isArray(leg) ? (leg as Record<string, unknown>) : undefined;
}
