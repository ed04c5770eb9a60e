import { randomUUID } from "node:crypto";
import { maskPhoneNumber } from "../../phone.js";
import { type Carrier, CarrierError, type RecordedSend } from "../carrier.js";
import { createSandboxReceipts, type ReceiptSink } from "./receipts.js";

export type { ReceiptSink } from "./receipts.js";

export const sandboxProvider = "sandbox";

export interface SandboxOptions {
  readonly mode: "sandbox";
}

// Same shape rule 8x8 applies to SMS destinations, so a number the sandbox takes would not
// bounce off the real API for its format.
const destinationPattern = /^\+?[1-9]\d{6,14}$/;
const maxSmsChars = 1530;

/**
 * Accepts sends the way 8x8 would and keeps the last `capacity` of them in memory. Nothing is
 * delivered to any phone.
 */
export function createSandboxCarrier(
  options: {
    capacity?: number;
    now?: () => number;
    /** Where its receipts go (late-bound: the intake is built after the carrier), and after how long. */
    receipts?: { sink: () => ReceiptSink | undefined; delayMs: number };
  } = {},
): Carrier {
  const capacity = options.capacity ?? 100;
  const now = options.now ?? Date.now;
  const stored: RecordedSend[] = [];
  const receipts = options.receipts && createSandboxReceipts({ ...options.receipts, now });

  function accept(message: Omit<RecordedSend, "id" | "acceptedAt">, status: string) {
    if (!destinationPattern.test(message.to)) {
      throw new CarrierError("invalid_destination", "carrier refused the destination", {
        provider: sandboxProvider,
        providerCode: "1002",
        httpStatus: 400,
        notSent: true,
      });
    }
    const record: RecordedSend = {
      ...message,
      to: maskPhoneNumber(message.to),
      id: randomUUID(),
      acceptedAt: new Date(now()).toISOString(),
    };
    stored.unshift(record);
    if (stored.length > capacity) stored.length = capacity;
    return { providerMessageId: record.id, providerStatus: status };
  }

  return {
    name: sandboxProvider,
    voiceEnabled: true,
    async sendSms(message) {
      if (message.text.length === 0 || message.text.length > maxSmsChars) {
        throw new CarrierError("rejected", "carrier rejected the message: invalid text", {
          provider: sandboxProvider,
          providerCode: "REJECTED",
          httpStatus: 200,
          notSent: true,
        });
      }
      const accepted = accept(
        { channel: "sms", to: message.to, text: message.text, clientMessageId: message.reference },
        "QUEUED",
      );
      receipts?.sms(accepted.providerMessageId, message.to, message.reference);
      return accepted;
    },
    async placeVoiceCall(call) {
      const accepted = accept({ channel: "voice", to: call.to, text: call.text, locale: call.locale }, "CREATED");
      receipts?.voice(accepted.providerMessageId, call.to);
      return accepted;
    },
    recordedSends: () => stored.slice(),
    async close() {
      receipts?.stop();
    },
  };
}
