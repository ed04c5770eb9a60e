import { distance } from "fastest-levenshtein";
import type { z } from "zod";

/** Variables whose values are never repeated in a message: secrets, and URLs that may hold one. */
export const secretVariables: ReadonlySet<string> = new Set([
  "OKTA_AUTH_SECRET",
  "OTP_API_KEYS",
  "OTP_SERVICE_API_KEY",
  "EIGHTBYEIGHT_API_KEY",
  "OTP_STORE_URL",
  "METRICS_TOKEN",
]);

/** `HTTP_PORT: must be a port number (…), got "abc"`: ours, and never echoing a secret. */
export function describeIssue(issue: z.core.$ZodIssue, env: Record<string, string | undefined>): string {
  const name = issue.path.join(".");
  const value = env[name];
  const shown = !secretVariables.has(name) && value !== undefined;
  return `${name}: ${issue.message}${shown ? `, got ${JSON.stringify(value)}` : ""}`;
}

// Prefixes of the variables the gateway owns: a name with one of them that the gateway does not
// read is a typo or a leftover, and silently ignoring it is how a live key ends up unused.
const ownedPrefixes = [
  "OKTA_",
  "EIGHTBYEIGHT_",
  "OTP_",
  "RATE_LIMIT_",
  "VERIFY_",
  "FRAUD_",
  "IDEMPOTENCY_",
  "CIRCUIT_",
  "CARRIER_",
  "GATEWAY_",
  "GRPC_",
  "HTTP_PORT",
  "SMS_",
  "VOICE_",
  "ALLOWED_",
  "BLOCKED_",
  "DEFAULT_PHONE",
  "MAX_CONCURRENT",
  "RPC_",
  "SHUTDOWN_",
  "CONVERSION_",
  "METRICS_",
  "WEBHOOK_",
  // Not "TRACE" alone: TRACEPARENT/TRACESTATE may be set by the platform (OTel's env carriers).
  "TRACES_",
  "TRACE_PER",
];

// gRPC's own settings (grpc-js reads them, for the OTLP gRPC exporter among others) share our
// GRPC_ prefix: platforms set GRPC_DEFAULT_SSL_ROOTS_FILE_PATH to their CA bundle.
const grpcLibraryVariables =
  /^GRPC_(TRACE|VERBOSITY|DEFAULT_SSL_ROOTS_FILE_PATH|SSL_CIPHER_SUITES|NODE_\w+|EXPERIMENTAL_\w+)$/;

/** Variables named like ours that the gateway does not read, each with the closest real name. */
export function unknownVariables(env: Record<string, string | undefined>, known: readonly string[]): string[] {
  const knownSet = new Set(known);
  const found: string[] = [];
  for (const name of Object.keys(env).sort()) {
    if (knownSet.has(name) || !ownedPrefixes.some((p) => name.startsWith(p))) continue;
    if (grpcLibraryVariables.test(name)) continue;
    const guess = closest(name, known);
    found.push(`${name}: not a variable the gateway reads${guess ? `; did you mean ${guess}?` : ""}`);
  }
  return found;
}

function closest(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(name.length / 4)) + 1;
  for (const candidate of known) {
    const d = distance(name, candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best;
}
