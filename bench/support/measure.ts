// Measuring one server process under one load: throughput, latency, CPU time per request and
// resident memory from /proc, and the fake 8x8's call counts (duplicates, missing calls).
import { readFileSync } from "node:fs";
import type { GatewayProcess } from "../../test/support/process.js";
import type { LoadResult } from "./load.js";
import type { BenchFake } from "./setup.js";
import { median } from "./stats.js";

export interface Row {
  name: string;
  reqPerSec: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  rssMaxMb: number;
  cpuPercent: number;
  /** CPU time (user + system, every thread) the server spent per answered request. */
  cpuUsPerRequest: number;
  duplicates: number;
  missingCalls: number;
}

export const missingRow: Row = {
  name: "not run",
  reqPerSec: Number.NaN,
  p50: Number.NaN,
  p99: Number.NaN,
  non2xx: 0,
  errors: 0,
  rssMaxMb: Number.NaN,
  cpuPercent: Number.NaN,
  cpuUsPerRequest: Number.NaN,
  duplicates: 0,
  missingCalls: 0,
};

/** CPU ticks (1/100 s) and resident memory of a process now. */
export function procSample(pid: number) {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  const ticks = Number(stat[11]) + Number(stat[12]);
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
  return { ticks, rssMb: rssKb / 1024 };
}

/** Runs `run` while sampling the process's memory every 200 ms and its CPU time over all of it. */
export async function watch<T>(pid: number, run: () => Promise<T>) {
  const first = procSample(pid);
  let rssMax = first.rssMb;
  const timer = setInterval(() => (rssMax = Math.max(rssMax, procSample(pid).rssMb)), 200);
  const started = performance.now();
  const result = await run();
  clearInterval(timer);
  const seconds = (performance.now() - started) / 1000;
  const last = procSample(pid);
  const cpuSeconds = (last.ticks - first.ticks) / 100;
  return { result, rssMaxMb: Math.max(rssMax, last.rssMb), cpuPercent: (cpuSeconds / seconds) * 100, cpuSeconds };
}

export interface Scenario {
  readonly name: string;
  readonly run: (p: GatewayProcess) => Promise<LoadResult>;
  /** Whether every successful answer needs an 8x8 call behind it. */
  readonly carrierCalls: boolean;
}

/** One turn of a scenario against a running server, the fake's counters reset first. */
export async function measureOnce(fake: BenchFake, proc: GatewayProcess, scenario: Scenario): Promise<Row> {
  await fake.reset();
  const { result, rssMaxMb, cpuPercent, cpuSeconds } = await watch(proc.child.pid!, () => scenario.run(proc));
  const counts = Object.values(await fake.stats());
  const calls = counts.reduce((a, b) => a + b, 0);
  return {
    name: scenario.name,
    reqPerSec: result.reqPerSec,
    p50: result.p50,
    p99: result.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    rssMaxMb,
    cpuPercent,
    cpuUsPerRequest: result.completed > 0 ? (cpuSeconds * 1e6) / result.completed : Number.NaN,
    duplicates: counts.filter((c) => c > 1).length,
    missingCalls: scenario.carrierCalls ? Math.max(0, result.successful - calls) : 0,
  };
}

/** Medians of the turns; the worst of the error and call counts. */
export function summarise(name: string, runs: Row[]): Row {
  const med = (f: (r: Row) => number) => median(runs.map(f));
  const worst = (f: (r: Row) => number) => Math.max(...runs.map(f));
  return {
    name,
    reqPerSec: Math.round(med((r) => r.reqPerSec)),
    p50: med((r) => r.p50),
    p99: med((r) => r.p99),
    non2xx: worst((r) => r.non2xx),
    errors: worst((r) => r.errors),
    rssMaxMb: Math.round(worst((r) => r.rssMaxMb)),
    cpuPercent: Math.round(med((r) => r.cpuPercent)),
    cpuUsPerRequest: Math.round(med((r) => r.cpuUsPerRequest)),
    duplicates: worst((r) => r.duplicates),
    missingCalls: worst((r) => r.missingCalls),
  };
}
