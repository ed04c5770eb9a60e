import { randomUUID } from "node:crypto";
import { Ring } from "../../ring.js";

/** Where the sandbox's receipts go: the same intake 8x8's webhooks reach. */
export type ReceiptSink = (route: "sms" | "voice", body: unknown) => Promise<unknown>;

export interface SandboxReceiptOptions {
  readonly sink: () => ReceiptSink | undefined;
  readonly delayMs: number;
  readonly now: () => number;
}

// Receipts waiting for their time; past this many the newest are not made.
const maxPending = 10_000;

/**
 * Receipts as 8x8 would post them, made for the sandbox's sends after `delayMs`: delivered, but
 * undelivered (code 1, absent subscriber) for numbers ending in 0000; calls answered, but not
 * for numbers ending in 0001.
 */
export function createSandboxReceipts(options: SandboxReceiptOptions) {
  const pending = new Ring<{ at: number; route: "sms" | "voice"; body: unknown }>(maxPending);
  let timer: NodeJS.Timeout | undefined;

  function arm(): void {
    const next = pending.peek();
    if (timer || !next) return;
    timer = setTimeout(flush, Math.max(0, next.at - options.now()));
    timer.unref();
  }

  function flush(): void {
    timer = undefined;
    const sink = options.sink();
    for (let next = pending.peek(); next && next.at <= options.now(); next = pending.peek()) {
      pending.shift();
      void sink?.(next.route, next.body).catch(() => undefined);
    }
    arm();
  }

  function later(route: "sms" | "voice", body: unknown): void {
    if (pending.length >= maxPending) return;
    pending.push({ at: options.now() + options.delayMs, route, body });
    arm();
  }

  return {
    sms(umid: string, to: string, clientMessageId: string): void {
      const absent = to.endsWith("0000");
      const at = () => new Date(options.now() + options.delayMs).toISOString();
      later("sms", smsBody(umid, to, clientMessageId, { state: "sent", timestamp: at() }));
      const status = absent
        ? { state: "undelivered", detail: "undelivered_to_recipient", errorCode: 1, errorMessage: "absent subscriber" }
        : { state: "delivered", detail: "delivered_to_recipient" };
      later("sms", smsBody(umid, to, clientMessageId, { ...status, timestamp: at() }));
    },
    voice(sessionId: string, to: string): void {
      const answered = !to.endsWith("0001");
      const end = new Date(options.now() + options.delayMs).toISOString();
      later("voice", {
        namespace: "VOICE",
        eventType: "SESSION_SUMMARY",
        description: "Session summary (sandbox)",
        payload: {
          sessionId,
          subAccountId: "sandbox",
          sessionStatus: answered ? "COMPLETED" : "NO_ANSWER",
          startTime: new Date(options.now()).toISOString(),
          endTime: end,
          lastAction: answered ? "SAY" : "MAKE_CALL",
          callCount: 1,
          details: {
            callA: {
              callId: randomUUID(),
              callDirection: "OUTBOUND",
              callType: "PSTN",
              destination: to,
              callStatus: answered ? "COMPLETED" : "NO_ANSWER",
              callDuration: answered ? 14 : 0,
            },
          },
        },
      });
    },
    stop(): void {
      clearTimeout(timer);
      pending.clear();
    },
  };
}

function smsBody(umid: string, to: string, clientMessageId: string, status: Record<string, unknown>) {
  return {
    namespace: "SMS",
    eventType: "outbound_message_status_changed",
    description: "SMS outbound message delivery receipt (sandbox)",
    payload: {
      umid,
      clientMessageId,
      subAccountId: "sandbox",
      source: "sandbox",
      destination: to,
      status,
      price: { total: 0, perSms: 0, currency: "USD" },
      smsCount: 1,
    },
  };
}
