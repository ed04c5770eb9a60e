import { setTimeout as sleep } from "node:timers/promises";
import { Code, ConnectError, type HandlerContext, type ServiceImpl } from "@connectrpc/connect";
import {
  type Health,
  type HealthCheckRequest,
  type HealthCheckResponse,
  HealthCheckResponse_ServingStatus as Status,
} from "../../gen/grpc/health/v1/health_pb.js";

export interface HealthOptions {
  /** Service names probes may ask about, besides "" (the server as a whole). */
  readonly services: readonly string[];
  /** Whether the gateway can take calls now: listening, not draining, a carrier circuit closed. */
  readonly serving: () => boolean;
  /** Whether the process is shutting down: a Watch then ends after saying NOT_SERVING. */
  readonly draining: () => boolean;
  /** How often a Watch looks for a change. */
  readonly watchEveryMs?: number;
}

type Reply = Omit<HealthCheckResponse, "$typeName" | "$unknown">;

/**
 * `grpc.health.v1.Health` for probes: every known service shares the gateway's one status,
 * since OtpService is all it serves. Needs no API key.
 */
export function createHealthService(options: HealthOptions): ServiceImpl<typeof Health> {
  const known = new Set(["", ...options.services]);
  const everyMs = options.watchEveryMs ?? 250;
  const status = () => (options.serving() ? Status.SERVING : Status.NOT_SERVING);
  return {
    check(req: HealthCheckRequest): Reply {
      if (!known.has(req.service)) throw new ConnectError(`unknown service ${req.service}`, Code.NotFound);
      return { status: status() };
    },
    list() {
      const current = status();
      return { statuses: Object.fromEntries([...known].map((name) => [name, { status: current }])) };
    },
    async *watch(req: HealthCheckRequest, ctx: HandlerContext): AsyncGenerator<Reply> {
      let last: Status | undefined;
      while (!ctx.signal.aborted) {
        const now = known.has(req.service) ? status() : Status.SERVICE_UNKNOWN;
        if (now !== last) yield { status: now };
        last = now;
        // An open Watch would hold the drain open until the grace period cuts it.
        if (options.draining()) return;
        await sleep(everyMs, undefined, { signal: ctx.signal }).catch(() => undefined);
      }
    },
  };
}
