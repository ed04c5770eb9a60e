import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { delimiter, join } from "node:path";
import { freePort } from "./process.js";

/** Path of redis-server on PATH (or the usual Debian place), if installed. */
export function findRedisServer(): string | undefined {
  const dirs = [...(process.env.PATH ?? "").split(delimiter), "/usr/bin", "/usr/sbin", "/usr/local/bin"];
  return dirs.map((d) => join(d, "redis-server")).find((p) => existsSync(p));
}

/**
 * Whether Redis tests can run here. Outside CI a missing redis-server skips them with a note;
 * in CI (CI=true) its absence is a failure, since `.ci/run` installs it.
 */
export function redisAvailable(): boolean {
  if (findRedisServer()) return true;
  if (process.env.CI)
    throw new Error("redis-server is not installed, but CI must run the Redis tests (.ci/run installs it)");
  console.warn("redis-server not found: skipping the Redis tests (apt-get install redis-server to run them)");
  return false;
}

export interface RedisServer {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

/** Starts a throw-away redis-server on a free loopback port, without persistence. */
export async function startRedis(): Promise<RedisServer> {
  const binary = findRedisServer();
  if (!binary) throw new Error("redis-server not found");
  const port = await freePort();
  const child: ChildProcess = spawn(
    binary,
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  await new Promise<void>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (c: Buffer) => {
      out += c.toString();
      if (out.includes("Ready to accept connections")) resolve();
    });
    child.once("exit", (code) => reject(new Error(`redis-server exited with ${code}: ${out}`)));
  });
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
