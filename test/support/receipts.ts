import { randomUUID } from "node:crypto";
import { rpcApiKey } from "./gateway.js";

/** The `Authorization` value 8x8's webhooks are configured with in these tests. */
export const webhookSecret = "Bearer wh-9Tq2Lm7Xc4Rv8Kp3Zn6Yb";
/** An admin caller (OTP_ADMIN_KEYS), who may read every delivery. */
export const sreKey = "test-sre-api-key-7Hd2Wq9Lx4Zc";
/** A gateway that takes 8x8's webhooks, with test-client and the admin sre as callers. */
export const receiptEnv = {
  EIGHTBYEIGHT_WEBHOOK_SECRET: webhookSecret,
  OTP_API_KEYS: `test-client:${rpcApiKey},sre:${sreKey}`,
  OTP_ADMIN_KEYS: "sre",
};

// Webhook bodies as 8x8 posts them (../shared/spec/8x8-apis.md §4 and §8).

/** An SMS delivery receipt in 8x8's documented shape (docs: delivery-receipts-for-outbound-sms). */
export function dlrBody(
  umid: string,
  status: { state: string; detail?: string; errorCode?: number; errorMessage?: string; timestamp?: string },
  extra: { destination?: string; price?: number; clientMessageId?: string } = {},
) {
  return {
    namespace: "SMS",
    eventType: "outbound_message_status_changed",
    description: "SMS outbound message delivery receipt",
    payload: {
      umid,
      batchId: randomUUID(),
      clientMessageId: extra.clientMessageId ?? null,
      clientBatchId: null,
      subAccountId: "acme_hq",
      source: "AcmeCorp",
      destination: extra.destination ?? "+447400120123",
      status: { timestamp: new Date().toISOString(), ...status },
      ...(extra.price === undefined ? {} : { price: { total: extra.price, perSms: extra.price, currency: "EUR" } }),
      smsCount: 1,
    },
  };
}

/** A voice session summary (VSS) in 8x8's documented shape, leg A spelled as `legKey`. */
export function vssBody(
  sessionId: string,
  sessionStatus: string,
  options: { errorCode?: number; errorMsg?: string; legKey?: string; destination?: string } = {},
) {
  const now = new Date().toISOString();
  return {
    namespace: "VOICE",
    eventType: "SESSION_SUMMARY",
    description: "Action request completed",
    payload: {
      sessionId,
      subAccountId: "acme_voice",
      sessionStatus,
      startTime: now,
      endTime: now,
      lastAction: "MAKE_CALL",
      callCount: 1,
      ...(options.errorCode === undefined
        ? {}
        : { errorDetails: { errorCode: options.errorCode, errorMsg: options.errorMsg ?? "" } }),
      details: {
        [options.legKey ?? "callA"]: {
          callId: randomUUID(),
          callDirection: "OUTBOUND",
          callType: "PSTN",
          destination: options.destination ?? "+447400120123",
          callStatus: sessionStatus,
          callDuration: sessionStatus === "COMPLETED" ? 12 : 0,
        },
      },
    },
  };
}
