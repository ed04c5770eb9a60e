import type { IncomingHttpHeaders } from "node:http";

import { maxRpcDeadlineMs } from "../otp/request-rules.js";

const grpcUnits: Record<string, number> = { H: 3_600_000, M: 60_000, S: 1_000, m: 1, u: 0.001, n: 0.000_001 };

/**
 * Shortens a caller's `grpc-timeout` or `connect-timeout-ms` past `maxRpcDeadlineMs` to it. A
 * deadline of hundreds of hours overflowed Node's timers and failed the call at once; a long
 * deadline is the caller's "no hurry", which the shorter one still honours.
 */
export function clampDeadlineHeaders(headers: IncomingHttpHeaders): void {
  const grpc = headers["grpc-timeout"];
  if (typeof grpc === "string") {
    const m = /^(\d{1,8})([HMSmun])$/.exec(grpc);
    if (m && Number(m[1]) * grpcUnits[m[2]!]! > maxRpcDeadlineMs) headers["grpc-timeout"] = `${maxRpcDeadlineMs}m`;
  }
  const connect = headers["connect-timeout-ms"];
  if (typeof connect === "string" && /^\d+$/.test(connect) && Number(connect) > maxRpcDeadlineMs) {
    headers["connect-timeout-ms"] = String(maxRpcDeadlineMs);
  }
}
