import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));

const startCommand: string[] = (() => {
  const pkg = JSON.parse(readFileSync(`${root}package.json`, "utf8")) as { scripts: { start: string } };
  return /\bnode (.*)$/.exec(pkg.scripts.start)?.[1]?.split(/\s+/) ?? [];
})();

/**
 * The node options of `npm start` (heap settings, source maps), read from package.json so that
 * tests and benchmarks run the gateway with exactly what production runs.
 */
export const startNodeOptions: readonly string[] = startCommand.filter(
  (arg, i) => arg.startsWith("--") && arg !== "--import" && startCommand[i - 1] !== "--import",
);
/** The module `npm start` preloads with `--import` (telemetry), added or left out per test. */
export const startTelemetry: string = startCommand.find(
  (arg, i) => startCommand[i - 1] === "--import" && arg.includes("telemetry"),
)!;
/** The script `npm start` runs: the bundle, as the image runs it. */
export const startEntry: string = startCommand.at(-1)!;

export interface GatewayProcess {
  readonly child: ChildProcess;
  /** stdout and stderr lines so far. */
  readonly output: string[];
  readonly httpPort: number;
  readonly grpcPort?: number;
  readonly exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Runs the built gateway exactly as `npm start` does (node --import telemetry, the bundle)
 * on free ports and waits for its "gateway listening" line.
 */
export async function spawnGateway(
  env: Record<string, string>,
  options: {
    telemetry?: boolean;
    /** Other node arguments (a benchmark's reference server). */
    args?: string[];
    /**
     * Send stdout and stderr to /dev/null, as a fast log sink would take them (benchmarks).
     * Needs fixed HTTP_PORT/GRPC_PORT in `env`; readiness is then read from /readyz.
     */
    discardOutput?: boolean;
  } = {},
): Promise<GatewayProcess> {
  const args = options.args ?? [
    ...startNodeOptions,
    ...(options.telemetry === false ? [] : ["--import", startTelemetry]),
    startEntry,
  ];
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? "",
      HOST: "127.0.0.1",
      HTTP_PORT: "0",
      GRPC_PORT: "0",
      NODE_ENV: "test",
      ...env,
    },
    stdio: options.discardOutput ? "ignore" : ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const listening = options.discardOutput
    ? waitForReady(Number(env.HTTP_PORT), Number(env.GRPC_PORT), exited)
    : new Promise<{ httpPort: number; grpcPort?: number }>((resolve, reject) => {
        const onLine = (line: string) => {
          output.push(line);
          // Long runs (the soak) would otherwise keep every line; tests stay far below this.
          if (output.length > 50_000) output.splice(0, 10_000);
          if (line.includes('"gateway listening"')) {
            const parsed = JSON.parse(line) as { httpPort: number; grpcPort?: number };
            resolve(parsed);
          }
        };
        for (const stream of [child.stdout!, child.stderr!]) {
          let buffered = "";
          stream.on("data", (chunk: Buffer) => {
            buffered += chunk.toString("utf8");
            const lines = buffered.split("\n");
            buffered = lines.pop() ?? "";
            for (const l of lines) onLine(l);
          });
        }
        void exited.then((code) =>
          reject(new Error(`gateway exited with ${code} before listening:\n${output.join("\n")}`)),
        );
      });
  const ports = await listening;
  return {
    child,
    output,
    ...ports,
    exited,
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Runs the gateway expecting it to refuse to start; resolves with its exit code and output. */
export function runGatewayToExit(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [startEntry], {
      cwd: root,
      env: { PATH: process.env.PATH ?? "", HOST: "127.0.0.1", HTTP_PORT: "0", GRPC_PORT: "0", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (c: Buffer) => (output += c.toString()));
    child.stderr.on("data", (c: Buffer) => (output += c.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

async function waitForReady(httpPort: number, grpcPort: number, exited: Promise<number | null>) {
  let gone = false;
  void exited.then(() => (gone = true));
  for (let i = 0; i < 1000 && !gone; i++) {
    const ok = await fetch(`http://127.0.0.1:${httpPort}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { httpPort, grpcPort };
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`gateway on port ${httpPort} never became ready`);
}

/** A port free on loopback right now. */
export async function freePort(): Promise<number> {
  const { createServer } = await import("node:net");
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return port;
}

/** The hook secret a sandbox gateway made up and printed once at start-up. */
export function sandboxSecret(output: readonly string[]): string {
  const index = output.findIndex((l) => l.includes("Sandbox Okta hook secret"));
  const secret = output.slice(index + 1).find((l) => l.trim() !== "");
  if (index < 0 || secret === undefined) throw new Error("the gateway printed no sandbox hook secret");
  return secret.trim();
}

/** A sandbox gateway process shared by a test file, and the hook secret it printed. */
export function useSandboxGateway(env: Record<string, string> = {}): { gw: GatewayProcess; secret: string } {
  const state = {} as { gw: GatewayProcess; secret: string };
  beforeAll(async () => {
    state.gw = await spawnGateway(env, { telemetry: false });
    state.secret = sandboxSecret(state.gw.output);
  });
  afterAll(async () => state.gw?.stop());
  return state;
}
