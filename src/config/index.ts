import { z } from "zod";
import { type CarrierConfig, carrierVariables, readCarrier } from "./carrier.js";
import { type OktaConfig, oktaVariables, type RefusedAnswer, readOkta } from "./okta.js";
import { type PolicyConfig, policyVariables, readPolicy } from "./policy.js";
import { readServer, type ServerConfig, serverVariables } from "./server.js";
import { readService, type ServiceConfig, serviceVariables } from "./service.js";

export type { OktaConfig, RefusedAnswer } from "./okta.js";
export type { GatewayRole } from "./server.js";

/** Everything the gateway is configured with, read once at start-up from the environment. */
export interface Config extends ServerConfig, CarrierConfig, PolicyConfig, ServiceConfig {
  readonly okta: OktaConfig;
  readonly oktaRefusedAnswer: RefusedAnswer;
}

/** Thrown when the environment cannot make a working gateway; lists every problem at once. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n  - ${problems.join("\n  - ")}`);
    this.name = "ConfigError";
  }
}

const envSchema = z.object({
  ...serverVariables,
  ...oktaVariables,
  ...carrierVariables,
  ...serviceVariables,
  ...policyVariables,
});

/** Every environment variable the gateway reads (besides the standard OTEL_* ones). */
export const configVariables = Object.keys(envSchema.shape);

/**
 * Reads the gateway's configuration from environment variables. Throws {@link ConfigError}
 * naming every problem, so an operator fixes them in one round.
 */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`));
  }
  const e = parsed.data;
  const problems: string[] = [];
  const server = readServer(e, problems);
  const deployment = {
    production: e.NODE_ENV === "production",
    servesService: server.role !== "facade",
    servesHook: server.role !== "service",
  };
  const carrier = readCarrier(e, problems, deployment);
  // Real codes can go out: a live carrier here, or a façade in front of one elsewhere.
  const live = carrier.carrier.mode !== "sandbox" || server.role === "facade";
  const service = readService(e, problems, { ...deployment, role: server.role, live });
  const okta = readOkta(e, problems, { ...deployment, live });
  if (problems.length > 0) throw new ConfigError(problems);
  return { ...server, ...carrier, ...service, ...readPolicy(e), okta, oktaRefusedAnswer: e.OKTA_REFUSED_ANSWER };
}
