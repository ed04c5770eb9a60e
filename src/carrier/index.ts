import type { FeedbackOptions } from "./8x8/feedback.js";
import { createEightByEightCarrier, type EightByEightOptions } from "./8x8/index.js";
import type { VoiceCatalogueOptions } from "./8x8/voice-catalogue.js";
import type { Carrier } from "./carrier.js";
import { createSandboxCarrier, type ReceiptSink, type SandboxOptions } from "./sandbox/index.js";

export type { EightByEightOptions } from "./8x8/index.js";
export type {
  Carrier,
  CarrierAcceptance,
  CarrierFailure,
  RecordedSend,
  SendOptions,
  VoicesStatus,
} from "./carrier.js";
export { CarrierError } from "./carrier.js";
export { type CircuitBreakerOptions, withCircuitBreaker } from "./circuit-breaker.js";
export { type CarrierObserver, withMetering } from "./metered.js";
export type { CarrierReceipt, DeliveryState, ReceiptReading } from "./receipt.js";
export { defaultRetryPolicy, type RetryPolicy, withRetries } from "./retry.js";
export type { ReceiptSink, SandboxOptions } from "./sandbox/index.js";

/** What a carrier tells the gateway about itself while it runs. */
export interface CarrierHooks {
  /** Each reading of the carrier's voice list: how many languages and locales, or why it failed. */
  readonly onVoices?: VoiceCatalogueOptions["onRefresh"];
  /** Each conversion told to the carrier: sent, rejected, expired (8x8's 15 minutes) or dropped. */
  readonly onFeedback?: FeedbackOptions["onResult"];
  /** A carrier that makes its own receipts (the sandbox) hands them here, as 8x8 posts its own. */
  readonly receipts?: { readonly sink: () => ReceiptSink | undefined; readonly delayMs: number };
}

/** Which carrier a gateway sends through, and its settings; `mode` names the carrier folder. */
export type CarrierOptions = EightByEightOptions | SandboxOptions;

/** Builds the configured carrier. A new carrier is a folder beside these and a line here. */
export function createCarrier(options: CarrierOptions, now?: () => number, hooks: CarrierHooks = {}): Carrier {
  switch (options.mode) {
    case "8x8":
      return createEightByEightCarrier(options, now, hooks.onVoices, hooks.onFeedback);
    case "sandbox":
      return createSandboxCarrier({ now, receipts: hooks.receipts });
  }
}
