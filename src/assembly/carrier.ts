import type { Logger } from "pino";
import { type Carrier, defaultRetryPolicy, withCircuitBreaker, withMetering, withRetries } from "../carrier/index.js";
import type { Config } from "../config/index.js";
import type { GatewayMetrics } from "../observability/metrics.js";

const circuitLevels = { closed: 0, half_open: 1, open: 2 } as const;

/** Retries only provably unsent attempts, and fails fast while the carrier keeps failing. */
export function resilientCarrier(
  base: Carrier,
  config: Config,
  logger: Logger,
  metrics: GatewayMetrics,
  now?: () => number,
): Carrier {
  const metered = withMetering(base, (channel, outcome, seconds) =>
    metrics.carrierDuration.observe({ channel, outcome }, seconds),
  );
  for (const channel of ["sms", "voice"]) metrics.circuitState.set({ channel }, circuitLevels.closed);
  const retrying = withRetries(metered, {
    ...defaultRetryPolicy,
    maxRetries: config.carrierMaxRetries,
    now,
    onRetry: (info) => {
      metrics.carrierRetries.inc({ channel: info.channel });
      logger.info(info, "retrying a send the carrier provably did not take");
    },
  });
  return withCircuitBreaker(retrying, {
    ...config.circuitBreaker,
    now,
    onStateChange: (channel, state, consecutiveFailures) => {
      metrics.circuitState.set({ channel }, circuitLevels[state]);
      const opened = state === "open";
      const line = { channel, state, consecutiveFailures };
      if (opened) logger.error(line, `carrier ${channel} circuit opened: failing fast`);
      else logger.warn(line, `carrier ${channel} circuit ${state}`);
    },
  });
}
