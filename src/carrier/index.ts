import { createEightByEightCarrier, type EightByEightOptions } from "./8x8/index.js";
import type { Carrier } from "./carrier.js";
import { createSandboxCarrier, type SandboxOptions } from "./sandbox/index.js";

export type { EightByEightOptions } from "./8x8/index.js";
export type { Carrier, CarrierAcceptance, CarrierFailure, RecordedSend, SendOptions } from "./carrier.js";
export { CarrierError } from "./carrier.js";
export { type CircuitBreakerOptions, withCircuitBreaker } from "./circuit-breaker.js";
export { type CarrierObserver, withMetering } from "./metered.js";
export { defaultRetryPolicy, type RetryPolicy, withRetries } from "./retry.js";
export type { SandboxOptions } from "./sandbox/index.js";

/** Which carrier a gateway sends through, and its settings; `mode` names the carrier folder. */
export type CarrierOptions = EightByEightOptions | SandboxOptions;

/** Builds the configured carrier. A new carrier is a folder beside these and a line here. */
export function createCarrier(options: CarrierOptions, now?: () => number): Carrier {
  switch (options.mode) {
    case "8x8":
      return createEightByEightCarrier(options, now);
    case "sandbox":
      return createSandboxCarrier({ now });
  }
}
