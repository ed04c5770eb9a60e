import type { Logger } from "pino";
import type { Config } from "../config/index.js";
import type { GatewayMetrics } from "../observability/metrics.js";

/** What each part of the domain is assembled from (domain.ts's own deps, without the swaps). */
export interface AssemblyDeps {
  readonly config: Config;
  readonly logger: Logger;
  readonly metrics: GatewayMetrics;
  readonly now?: () => number;
  readonly newId?: () => string;
  /** How often receipt deadlines are swept (tests shorten it). */
  readonly sweepEveryMs?: number;
}
