// What the benchmark scripts share: the fake 8x8 in its own process and the gateway's
// environment against it.
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { Agent, fetch as undiciFetch } from "undici";
import { freePort, type GatewayProcess, spawnGateway } from "../../test/support/process.js";
import { type BenchTls, makeTls } from "./tls.js";

export const benchOktaSecret = "bench-okta-hook-Qw7Lp2Xv9Rk4";
export const benchApiKey = "bench-rpc-api-key-0123456789";

export interface BenchFake {
  readonly child: ChildProcess;
  readonly tls: BenchTls;
  /** https://127.0.0.1:port */
  readonly upstream: string;
  /** The OTLP sink that discards what it gets. */
  readonly sinkPort: number;
  /** Calls per destination since the last reset. */
  stats(): Promise<Record<string, number>>;
  reset(): Promise<string>;
}

/** The fake 8x8 over HTTPS (a CA made now) with `latencyMs` before each answer. */
export async function startBenchFake(latencyMs: number): Promise<BenchFake> {
  const tls = makeTls();
  const child = spawn(process.execPath, ["--import", "tsx", "bench/support/fake-8x8-https.ts"], {
    env: { PATH: process.env.PATH ?? "", TLS_CERT: tls.cert, TLS_KEY: tls.key, LATENCY_MS: String(latencyMs) },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const { port, sinkPort } = await new Promise<{ port: number; sinkPort: number }>((resolve) =>
    child.stdout!.once("data", (c: Buffer) => resolve(JSON.parse(c.toString()))),
  );
  const upstream = `https://127.0.0.1:${port}`;
  const caAgent = new Agent({ connect: { ca: readFileSync(tls.caFile) } });
  return {
    child,
    tls,
    upstream,
    sinkPort,
    stats: async () =>
      (await (await undiciFetch(`${upstream}/__stats`, { dispatcher: caAgent })).json()) as Record<string, number>,
    reset: () => undiciFetch(`${upstream}/__reset`, { dispatcher: caAgent }).then((r) => r.text()),
  };
}

/** The gateway's environment against the fake: limits off, tracing to the sink or off. */
export function benchGatewayEnv(fake: BenchFake, traced: boolean): Record<string, string> {
  return {
    NODE_EXTRA_CA_CERTS: fake.tls.caFile,
    OKTA_AUTH_SECRET: benchOktaSecret,
    OTP_API_KEYS: `bench:${benchApiKey}`,
    EIGHTBYEIGHT_API_KEY: "bench",
    EIGHTBYEIGHT_SUBACCOUNT_ID: "acme_hq",
    EIGHTBYEIGHT_SMS_URL: fake.upstream,
    EIGHTBYEIGHT_SMS_SOURCE: "Acme",
    EIGHTBYEIGHT_VOICE_URL: fake.upstream,
    EIGHTBYEIGHT_VOICE_SOURCE: "+6531580000",
    // Every default feature on: the per-number, per-user and enrollment limits at their defaults
    // (every request is a new number and user, so they count but never bind); the per-country
    // and global ones would bind at this rate, so they are raised instead.
    RATE_LIMIT_PER_COUNTRY: "100000000/1m",
    RATE_LIMIT_GLOBAL: "100000000/1m",
    // Sequential numbers share a range a thousand at a time: counted, never binding.
    RATE_LIMIT_PER_PREFIX: "100000000/10m",
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? "info",
    ...(traced
      ? {
          OTEL_TRACES_EXPORTER: "otlp",
          OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `http://127.0.0.1:${fake.sinkPort}/v1/traces`,
        }
      : { OTEL_SDK_DISABLED: "true" }),
  };
}

/**
 * The gateway with its log lines going to /dev/null, as to a fast container log driver.
 * `args` replaces the start command's node arguments (a variant with other V8 flags).
 */
export async function spawnQuietGateway(
  env: Record<string, string>,
  telemetry: boolean,
  args?: string[],
): Promise<GatewayProcess> {
  const ports = { HTTP_PORT: String(await freePort()), GRPC_PORT: String(await freePort()) };
  return spawnGateway({ ...env, ...ports }, { telemetry, discardOutput: true, ...(args ? { args } : {}) });
}

export type ReferenceKind = "ceiling" | "proxy" | "tutorial" | "connect-proxy";

const referenceScripts: Record<ReferenceKind, string> = {
  ceiling: "bench/support/reference-server.ts",
  proxy: "bench/support/reference-server.ts",
  tutorial: "bench/support/tutorial-server.ts",
  "connect-proxy": "bench/support/connect-proxy-server.ts",
};

/**
 * The references: bare Fastify without and with the 8x8 call (reference-server.ts), the
 * Express + axios tutorial pattern, and a bare connect-node SendOtp that makes the 8x8 call.
 */
export function spawnReference(
  kind: ReferenceKind,
  fake: BenchFake,
  env: Record<string, string> = {},
): Promise<GatewayProcess> {
  return spawnGateway(
    { MODE: kind, UPSTREAM: fake.upstream, NODE_EXTRA_CA_CERTS: fake.tls.caFile, ...env },
    { args: ["--import", "tsx", referenceScripts[kind]] },
  );
}
