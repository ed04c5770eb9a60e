import { Counter, collectDefaultMetrics, Registry } from "prom-client";

/** The gateway's Prometheus metrics. Labels are fixed vocabularies: never a number or a code. */
export interface GatewayMetrics {
  readonly registry: Registry;
  /** Every send decision: `accepted`, a carrier failure kind, or a gateway refusal. */
  readonly sendOutcomes: Counter<"channel" | "outcome">;
}

export function createMetrics(): GatewayMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    sendOutcomes: new Counter({
      name: "otp_send_outcomes_total",
      help: "OTP send decisions by channel and outcome (accepted, carrier failure, policy, rate limit, overload)",
      labelNames: ["channel", "outcome"],
      registers: [registry],
    }),
  };
}
