import { randomUUID } from "node:crypto";
import { maskPhoneNumber } from "../phone.js";
import { CarrierError, type Carrier } from "./carrier.js";

export const sandboxProvider = "sandbox";

/** A send the sandbox accepted, as shown on `GET /sandbox/messages`. */
export interface SandboxMessage {
  readonly id: string;
  readonly channel: "sms" | "voice";
  /** Masked: the sandbox never shows a full number either. */
  readonly to: string;
  /** The SMS text or voice script; it holds the code, which is the developer's own test code. */
  readonly text: string;
  readonly voiceProfile?: string;
  readonly clientMessageId?: string;
  readonly acceptedAt: string;
}

export interface SandboxCarrier extends Carrier {
  /** Newest first. */
  messages(): readonly SandboxMessage[];
}

// Same shape rule 8x8 applies to SMS destinations, so a number the sandbox takes would not
// bounce off the real API for its format.
const destinationPattern = /^\+?[1-9]\d{6,14}$/;
const maxSmsChars = 1530;

/**
 * Accepts sends the way 8x8 would and keeps the last `capacity` of them in memory. Nothing is
 * delivered to any phone.
 */
export function createSandboxCarrier(options: { capacity?: number; now?: () => number } = {}): SandboxCarrier {
  const capacity = options.capacity ?? 100;
  const now = options.now ?? Date.now;
  const stored: SandboxMessage[] = [];

  function accept(message: Omit<SandboxMessage, "id" | "acceptedAt">, status: string) {
    if (!destinationPattern.test(message.to)) {
      throw new CarrierError("invalid_destination", "carrier refused the destination", {
        provider: sandboxProvider,
        providerCode: "1002",
        httpStatus: 400,
        notSent: true,
      });
    }
    const record: SandboxMessage = {
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
      return accept({ channel: "sms", to: message.to, text: message.text, clientMessageId: message.clientMessageId }, "QUEUED");
    },
    async placeVoiceCall(call) {
      return accept({ channel: "voice", to: call.to, text: call.text, voiceProfile: call.voiceProfile }, "CREATED");
    },
    messages: () => stored.slice(),
    async close() {},
  };
}
