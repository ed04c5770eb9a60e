import type { FastifyPluginAsync } from "fastify";
import type { Carrier } from "../carrier/index.js";
import type { GatewayRole } from "../config/index.js";
import type { Readiness } from "./readiness.js";

export interface HealthRoutesOptions {
  readonly readiness: Readiness;
  readonly role: GatewayRole;
  /** The carrier this process sends through; undefined on a façade. */
  readonly carrier?: Carrier;
  /** The shared store's state; undefined when state is in memory. */
  readonly store?: () => { readonly kind: string; readonly connected: boolean };
  /** On a façade: how it reaches OtpService. */
  readonly otpService?: { readonly protocol: string };
  /** What this process takes besides sends (receipts, Okta's events, Verify), for an SRE's glance. */
  readonly features?: Readonly<Record<string, string | boolean>>;
}

/** `GET /healthz` (the process answers) and `GET /readyz` (it should get traffic). */
export const healthRoutes: FastifyPluginAsync<HealthRoutesOptions> = async (app, opts) => {
  const { readiness, carrier } = opts;
  app.get("/healthz", async () => ({ status: "ok" }));
  app.get("/readyz", async (_req, reply) => {
    const ready = readiness.listening && !readiness.shuttingDown;
    return reply.code(ready ? 200 : 503).send({
      status: ready ? "ready" : readiness.shuttingDown ? "shutting_down" : "starting",
      role: opts.role,
      carrier: carrier?.name,
      circuits: carrier?.health?.(),
      voices: carrier?.voices?.(),
      store: carrier ? (opts.store?.() ?? { kind: "memory" }) : undefined,
      otpService: opts.otpService ? { protocol: opts.otpService.protocol } : undefined,
      features: opts.features,
    });
  });
};
