import { readFileSync } from "node:fs";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/**
 * The gateway's Prometheus metrics (RED per channel, plus the state an SRE watches). Labels are
 * fixed vocabularies and bounded sets (channels, outcomes, ISO regions, caller names from
 * OTP_API_KEYS): never a number, a code or a user.
 */
export interface GatewayMetrics {
  readonly registry: Registry;
  /** Every send decision: `accepted`, a carrier failure kind, or a gateway refusal. */
  readonly sendOutcomes: Counter<"channel" | "outcome" | "country">;
  /** Okta's request to our answer; the buckets resolve the 2–3 s range before Okta's cliff. */
  readonly hookDuration: Histogram<"channel" | "outcome">;
  readonly rpcDuration: Histogram<"method" | "code" | "caller">;
  /** One 8x8 call; a retry is another observation, and counted in carrierRetries. */
  readonly carrierDuration: Histogram<"channel" | "outcome">;
  readonly carrierRetries: Counter<"channel">;
  /** 0 closed, 1 half open, 2 open. */
  readonly circuitState: Gauge<"channel">;
  readonly idempotentReplays: Counter;
  readonly inflightSends: Gauge;
  /** Carrier receipts taken for a known send, by the state they report (duplicates not counted). */
  readonly deliveryReceipts: Counter<"channel" | "state" | "country">;
  /** From the carrier's acceptance to the receipt that made the send final. */
  readonly timeToDelivery: Histogram<"channel">;
  readonly deliveriesUnconfirmed: Counter<"channel">;
  /** Every POST to /webhooks/8x8/*, by what became of it. */
  readonly webhookRequests: Counter<"route" | "outcome">;
  /** Sends whose code was used (a Verify check approved it), by channel and region. */
  readonly conversions: Counter<"channel" | "country" | "result">;
  /** The anti-pumping rules' decisions: refused, would_refuse (monitor mode), bypassed (safe list). */
  readonly fraudDecisions: Counter<"rule" | "mode" | "decision">;
  /** Conversions told to 8x8's Feedback API: sent, rejected, expired (past 15 min) or dropped. */
  readonly feedbackPosts: Counter<"outcome">;
  /** VerifyService: starts and resends by channel, and how verifications end. */
  readonly verifications: Counter<"channel" | "result">;
  readonly verificationChecks: Counter<"result">;
}

// Receipts take seconds (SMS) to minutes (a voice call that rings out).
const deliveryBuckets = [1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800, 3600];

const latencyBuckets = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 1.5, 2, 2.5, 3, 5];

export function createMetrics(): GatewayMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  new Gauge({
    name: "otp_build_info",
    help: "The running gateway's version and Node.js version (always 1)",
    labelNames: ["version", "node"],
    registers,
  }).set({ version: packageVersion(), node: process.version }, 1);
  return {
    registry,
    sendOutcomes: new Counter({
      name: "otp_send_outcomes_total",
      help: "OTP send decisions by channel, outcome (accepted, carrier failure, policy, rate limit, overload) and destination region",
      labelNames: ["channel", "outcome", "country"],
      registers,
    }),
    hookDuration: new Histogram({
      name: "otp_hook_request_duration_seconds",
      help: "Okta telephony hook requests, from arrival to answer, by channel and outcome",
      labelNames: ["channel", "outcome"],
      buckets: latencyBuckets,
      registers,
    }),
    rpcDuration: new Histogram({
      name: "otp_rpc_server_duration_seconds",
      help: "OtpService calls by method, status code and caller",
      labelNames: ["method", "code", "caller"],
      buckets: latencyBuckets,
      registers,
    }),
    carrierDuration: new Histogram({
      name: "otp_carrier_request_duration_seconds",
      help: "Single calls to the carrier (8x8) by channel and outcome (accepted or the failure kind)",
      labelNames: ["channel", "outcome"],
      buckets: latencyBuckets,
      registers,
    }),
    carrierRetries: new Counter({
      name: "otp_carrier_retries_total",
      help: "Carrier calls retried because the carrier provably did not take the first",
      labelNames: ["channel"],
      registers,
    }),
    circuitState: new Gauge({
      name: "otp_circuit_state",
      help: "Carrier circuit breaker per channel: 0 closed, 1 half open, 2 open",
      labelNames: ["channel"],
      registers,
    }),
    idempotentReplays: new Counter({
      name: "otp_idempotent_replays_total",
      help: "Repeats of a request answered with its first answer, without a new send",
      registers,
    }),
    inflightSends: new Gauge({
      name: "otp_inflight_sends",
      help: "Sends in flight now, repeats waiting for their first attempt included (MAX_CONCURRENT_SENDS caps it)",
      registers,
    }),
    ...deliveryMetrics(registers),
  };
}

/** Receipts, webhooks and verifications: what happens to a code after it is sent. */
function deliveryMetrics(registers: Registry[]) {
  return {
    deliveryReceipts: new Counter({
      name: "otp_delivery_receipts_total",
      help: "Carrier delivery receipts for known sends by channel, state reported (delivered, undelivered, answered, ...; unknown for a word the gateway does not know) and destination region",
      labelNames: ["channel", "state", "country"],
      registers,
    }),
    timeToDelivery: new Histogram({
      name: "otp_time_to_delivery_seconds",
      help: "From the carrier accepting a send to the receipt that made it final, by channel",
      labelNames: ["channel"],
      buckets: deliveryBuckets,
      registers,
    }),
    deliveriesUnconfirmed: new Counter({
      name: "otp_deliveries_unconfirmed_total",
      help: "Sends that got no final receipt within DELIVERY_RECEIPT_TIMEOUT_MS, by channel",
      labelNames: ["channel"],
      registers,
    }),
    webhookRequests: new Counter({
      name: "otp_webhook_requests_total",
      help: "Requests to the 8x8 webhooks by route (sms, voice) and outcome (applied, recorded, duplicate, unknown_message, ignored, bad_request, unauthorized, forbidden, too_large, store_unavailable)",
      labelNames: ["route", "outcome"],
      registers,
    }),
    conversions: new Counter({
      name: "otp_conversions_total",
      help: "Sends whose code was used, by channel, destination region and result (converted)",
      labelNames: ["channel", "country", "result"],
      registers,
    }),
    fraudDecisions: new Counter({
      name: "otp_fraud_decisions_total",
      help: "Anti-pumping decisions by rule (prefix, ip, conversion_guard, safe_list), mode (enforce, monitor) and decision (refused, would_refuse, bypassed)",
      labelNames: ["rule", "mode", "decision"],
      registers,
    }),
    feedbackPosts: new Counter({
      name: "otp_feedback_posts_total",
      help: "Conversions told to 8x8's Feedback API by outcome: sent, rejected (8x8 refused), expired (past 8x8's 15 minutes), dropped (queue full)",
      labelNames: ["outcome"],
      registers,
    }),
    verifications: new Counter({
      name: "otp_verifications_total",
      help: "VerifyService by channel and result: started, resent (a send), approved, failed, expired, canceled (an end)",
      labelNames: ["channel", "result"],
      registers,
    }),
    verificationChecks: new Counter({
      name: "otp_verification_checks_total",
      help: "CheckVerification outcomes: approved, wrong_code, failed (the last wrong code), expired, replay (approved already), not_pending, rate_limited",
      labelNames: ["result"],
      registers,
    }),
  };
}

/** The version in the package.json above this file (src/ when tested, dist/src/ when built). */
function packageVersion(): string {
  for (const up of ["../../package.json", "../../../package.json"]) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(up, import.meta.url), "utf8")) as { name?: string; version?: string };
      if (pkg.name === "otp-gateway" && pkg.version) return pkg.version;
    } catch {
      // Not at this level.
    }
  }
  return "unknown";
}
