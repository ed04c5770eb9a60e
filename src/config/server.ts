import { z } from "zod";
import { blankToUndefined, choice, int, optionalChoice, optionalUrl, port, secretString } from "./env.js";

/** Which parts of the gateway this process serves. */
export type GatewayRole = "all" | "facade" | "service";

export interface ServerConfig {
  readonly nodeEnv: string;
  readonly host: string;
  readonly httpPort: number;
  readonly grpcPort: number;
  readonly logLevel: string;
  readonly role: GatewayRole;
  /** Set on a façade: the OtpService it calls. */
  readonly otpService?: {
    readonly url: string;
    readonly protocol: "connect" | "grpc" | "grpc-web";
    readonly apiKey?: string;
  };
  readonly rpcDefaultTimeoutMs: number;
  readonly shutdownGraceMs: number;
  /** Connections each listener takes at once; more are closed as they arrive. */
  readonly maxConnections: number;
  /** A request (headers and body) must arrive within this, on both listeners. */
  readonly requestTimeoutMs: number;
  /** When set, `/metrics` wants it as a bearer token. */
  readonly metricsToken?: string;
  /** gRPC server reflection on GRPC_PORT: on by default outside production. */
  readonly grpcReflection: boolean;
  /** Most new traces the default sampler records a second (when OTEL_TRACES_SAMPLER is unset). */
  readonly tracesPerSecond: number;
  /** The standard OTEL_TRACES_SAMPLER when set: it replaces the default sampler. */
  readonly otelTracesSampler?: string;
}

export const serverVariables = {
  NODE_ENV: z.preprocess(blankToUndefined, z.string().default("development")),
  HOST: z.preprocess(blankToUndefined, z.string().default("0.0.0.0")),
  HTTP_PORT: port(8080),
  GRPC_PORT: port(8081),
  LOG_LEVEL: choice(["fatal", "error", "warn", "info", "debug", "trace", "silent"], "info"),
  GATEWAY_ROLE: optionalChoice(["all", "facade", "service"]),
  OTP_SERVICE_URL: optionalUrl(/^https?$/, "must be an http(s) URL"),
  OTP_SERVICE_PROTOCOL: choice(["connect", "grpc", "grpc-web"], "connect"),
  OTP_SERVICE_API_KEY: secretString(16),
  RPC_DEFAULT_TIMEOUT_MS: int(10000, 100, 60000),
  SHUTDOWN_GRACE_MS: int(10000, 0, 120000),
  MAX_CONNECTIONS: int(1000, 10, 100_000),
  REQUEST_TIMEOUT_MS: int(10_000, 1_000, 60_000),
  METRICS_TOKEN: secretString(16),
  GRPC_REFLECTION: optionalChoice(["on", "off"]),
  // Read by telemetry.ts before the rest of the config; checked here with everything else.
  TRACES_PER_SECOND: int(100, 1, 100_000),
};

type ServerEnv = z.output<z.ZodObject<typeof serverVariables>>;

/** Listeners, role and lifecycle: what this process is and where it listens. */
export function readServer(e: ServerEnv, problems: string[]): ServerConfig {
  const role: GatewayRole = e.GATEWAY_ROLE ?? (e.OTP_SERVICE_URL ? "facade" : "all");
  if (role === "facade" && !e.OTP_SERVICE_URL) {
    problems.push("OTP_SERVICE_URL: required when GATEWAY_ROLE=facade");
  }
  if (role !== "facade" && e.OTP_SERVICE_URL) {
    problems.push(`OTP_SERVICE_URL: only used by a façade; GATEWAY_ROLE=${role} serves OtpService itself`);
  }
  // A façade opens no HTTP/2 listener; everyone else opens both.
  if (role !== "facade" && e.HTTP_PORT !== 0 && e.HTTP_PORT === e.GRPC_PORT) {
    problems.push(`GRPC_PORT: must differ from HTTP_PORT (both are ${e.HTTP_PORT}): the listeners cannot share a port`);
  }
  return {
    nodeEnv: e.NODE_ENV,
    host: e.HOST,
    httpPort: e.HTTP_PORT,
    grpcPort: e.GRPC_PORT,
    logLevel: e.LOG_LEVEL,
    role,
    otpService: e.OTP_SERVICE_URL
      ? { url: e.OTP_SERVICE_URL.replace(/\/+$/, ""), protocol: e.OTP_SERVICE_PROTOCOL, apiKey: e.OTP_SERVICE_API_KEY }
      : undefined,
    rpcDefaultTimeoutMs: e.RPC_DEFAULT_TIMEOUT_MS,
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    maxConnections: e.MAX_CONNECTIONS,
    requestTimeoutMs: e.REQUEST_TIMEOUT_MS,
    metricsToken: e.METRICS_TOKEN,
    grpcReflection: (e.GRPC_REFLECTION ?? (e.NODE_ENV === "production" ? "off" : "on")) === "on",
    tracesPerSecond: e.TRACES_PER_SECOND,
  };
}
