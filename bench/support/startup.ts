// Start-up time to a ready /readyz: `npm start` as an operator runs it (its build check
// included, the build up to date), and the start command's node process alone, with tracing
// to an OTLP endpoint and without.
import { spawn } from "node:child_process";
import { freePort } from "../../test/support/process.js";
import { spawnQuietGateway } from "./setup.js";
import { median } from "./stats.js";

export interface StartupResult {
  /** `npm start` to ready, ms (median). */
  readonly npmStartMs: number;
  /** The node command alone, tracing on, ms (median). */
  readonly nodeTracedMs: number;
  /** The node command alone, no exporter configured, ms (median). */
  readonly nodePlainMs: number;
  readonly samples: Record<string, number[]>;
}

async function untilReady(port: number): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error("the gateway never became ready");
}

async function npmStart(env: Record<string, string>): Promise<number> {
  const ports = { HTTP_PORT: String(await freePort()), GRPC_PORT: String(await freePort()) };
  const started = performance.now();
  const child = spawn("npm", ["start", "--silent"], {
    env: { PATH: process.env.PATH ?? "", HOST: "127.0.0.1", NODE_ENV: "test", ...env, ...ports },
    stdio: "ignore",
    detached: true,
  });
  await untilReady(Number(ports.HTTP_PORT));
  const ms = performance.now() - started;
  const exited = new Promise((r) => child.once("exit", r));
  process.kill(-child.pid!, "SIGTERM");
  await exited;
  return ms;
}

async function nodeStart(env: Record<string, string>): Promise<number> {
  const started = performance.now();
  const proc = await spawnQuietGateway(env, true);
  const ms = performance.now() - started;
  await proc.stop();
  return ms;
}

/** Five starts of each kind; `tracedEnv` points tracing at an OTLP sink. */
export async function measureStartup(tracedEnv: Record<string, string>): Promise<StartupResult> {
  const plainEnv = { ...tracedEnv };
  delete plainEnv.OTEL_TRACES_EXPORTER;
  delete plainEnv.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  const samples: Record<string, number[]> = { npmStart: [], nodeTraced: [], nodePlain: [] };
  for (let i = 0; i < 5; i++) {
    samples.npmStart!.push(await npmStart(plainEnv));
    samples.nodeTraced!.push(await nodeStart(tracedEnv));
    samples.nodePlain!.push(await nodeStart(plainEnv));
  }
  const med = (k: string) => Math.round(median(samples[k]!));
  return { npmStartMs: med("npmStart"), nodeTracedMs: med("nodeTraced"), nodePlainMs: med("nodePlain"), samples };
}
