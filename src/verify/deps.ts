import { Code, ConnectError } from "@connectrpc/connect";
import type { Logger } from "pino";
import type { DeliveryTracker } from "../delivery/tracker.js";
import type { GatewayMetrics } from "../observability/metrics.js";
import { storeCall as readOrWrite } from "../otp/errors.js";
import type { Send } from "../otp/send/send.js";
import type { ValidationRules } from "../otp/validation.js";
import type { RateLimitStore } from "../store/rate-limit-store.js";
import type { VerifyKeys } from "./codes.js";
import type { VerificationStore } from "./store.js";

/** What VerifyService is built from. */
export interface VerifyDeps {
  /** The send pipeline SendOtp uses: policy, limits, idempotency, the carrier, delivery records. */
  readonly send: Send;
  readonly rules: ValidationRules;
  readonly store: VerificationStore;
  /** Undefined without VERIFY_HASH_KEY: every call is refused. */
  readonly keys?: VerifyKeys;
  readonly settings: {
    readonly resendIntervalMs: number;
    readonly maxSends: number;
    readonly maxAttempts: number;
    readonly checksPerCaller?: { readonly limit: number; readonly windowMs: number };
  };
  /** Where the per-caller check limit is counted. */
  readonly rateLimits?: RateLimitStore;
  /** Told when a check approves, so the send counts as converted. */
  readonly deliveries?: DeliveryTracker;
  readonly logger: Logger;
  readonly metrics?: Pick<GatewayMetrics, "verifications" | "verificationChecks">;
  readonly now: () => number;
  readonly newId: () => string;
}

/** The keys, or the refusal of a gateway that has none. */
export function keysOf(deps: VerifyDeps): VerifyKeys {
  if (deps.keys) return deps.keys;
  throw new ConnectError("VerifyService is not configured on this gateway (VERIFY_HASH_KEY)", Code.FailedPrecondition);
}

/** The verification store's failure, as UNAVAILABLE. */
export const storeCall = <T>(call: () => Promise<T>) =>
  readOrWrite("verifications cannot be read or written now", call);

export const notFound = () => new ConnectError("no such verification", Code.NotFound);
