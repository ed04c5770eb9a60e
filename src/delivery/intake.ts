import type { Context } from "@opentelemetry/api";
import { readSmsReceipt } from "../carrier/8x8/delivery-receipt.js";
import { readSessionSummary } from "../carrier/8x8/session-summary.js";
import type { Reporting } from "./receipt-report.js";
import type { DeliveryTracker } from "./tracker.js";

/** Which 8x8 webhook a body came to. */
export type WebhookRoute = "sms" | "voice";

/** What to answer 8x8: 200 for every body taken or knowingly passed over, 400 unreadable, 503 retry. */
export interface IntakeAnswer {
  readonly status: 200 | 400 | 503;
  readonly outcome: string;
}

/** `trace`: the webhook request's context, which the receipt's span goes under. */
export type ReceiptIntake = (route: WebhookRoute, body: unknown, trace?: Context) => Promise<IntakeAnswer>;

/**
 * Reads an 8x8 webhook body and applies its receipt. The HTTP routes call this after their own
 * checks, and so does the sandbox carrier with the bodies it makes: one path for both.
 */
export function createReceiptIntake(tracker: DeliveryTracker, reporting: Reporting): ReceiptIntake {
  const count = (route: WebhookRoute, outcome: string) => reporting.metrics?.webhookRequests.inc({ route, outcome });
  return async (route, body, trace) => {
    const reading = route === "sms" ? readSmsReceipt(body) : readSessionSummary(body);
    if (reading.kind === "invalid") {
      count(route, "bad_request");
      reporting.logger.info({ route, reason: reading.reason }, "8x8 webhook body is not a receipt");
      return { status: 400, outcome: "bad_request" };
    }
    if (reading.kind === "ignored") {
      count(route, "ignored");
      return { status: 200, outcome: "ignored" };
    }
    try {
      const outcome = await tracker.receive(reading.receipt, trace);
      count(route, outcome);
      return { status: 200, outcome };
    } catch (err) {
      // 8x8 sends it again at 1, 10, 30 and 90 s: a receipt is not lost to a store outage.
      count(route, "store_unavailable");
      reporting.logger.warn({ err, route }, "delivery receipt not stored; 8x8 is asked to send it again");
      return { status: 503, outcome: "store_unavailable" };
    }
  };
}
