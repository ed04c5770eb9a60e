// The benchmark suite: the gateway against references measured in the same run, so the
// machine's noise cancels out in the ratios. Loopback only, bounded runs.
//
//   npm run bench                      (builds, then about eight minutes)
//   npx tsx bench/run.ts --duration 5 --reps 3 --latency 20 --prewarm 50
//   npx tsx bench/run.ts --only "@128"   (scenarios whose names contain any of the
//                                        comma-separated parts; references always run)
//
// The headline is the CPU-bound regime: 128 connections, where a 20 ms upstream no longer caps
// every server at the same rate, measured on a gateway that has first served `--prewarm`
// seconds of unique traffic (its stores full, as after a minute in production). The 32- and
// 1-connection rows are the latency-bound checks. bench/README.md reads the results.
import { parseArgs } from "node:util";
import type { GatewayProcess } from "../test/support/process.js";
import { atOneNames, measureAtOne } from "./support/at-one.js";
import { benchTransport, hookLoad, rpcLoad } from "./support/load.js";
import { measureOnce, type Row, type Scenario, summarise } from "./support/measure.js";
import { writeReport } from "./support/report.js";
import {
  benchGatewayEnv,
  type ReferenceKind,
  spawnQuietGateway,
  spawnReference,
  startBenchFake,
} from "./support/setup.js";
import { measureStartup } from "./support/startup.js";
import { median } from "./support/stats.js";

const { values: opts } = parseArgs({
  options: {
    duration: { type: "string", default: "5" },
    reps: { type: "string", default: "3" },
    latency: { type: "string", default: "20" },
    prewarm: { type: "string", default: "50" },
    only: { type: "string" },
  },
});
const durationS = Number(opts.duration);
const reps = Number(opts.reps);
const latencyMs = Number(opts.latency);
const prewarmS = Number(opts.prewarm);
const onlyParts = opts.only?.split(",").map((p) => p.trim());
const wanted = (name: string) => name.startsWith("ref") || !onlyParts || onlyParts.some((p) => name.includes(p));

const fake = await startBenchFake(latencyMs);
const rows: Row[] = [];

const hook =
  (connections: number, channel: "SMS" | "Voice" = "SMS") =>
  (p: GatewayProcess) =>
    hookLoad(p.httpPort, connections, channel, durationS);
const rpc = (kind: "grpc" | "connect", concurrency: number) => (p: GatewayProcess) =>
  rpcLoad(benchTransport(kind, p), concurrency, durationS);

async function measure(proc: GatewayProcess, scenario: Scenario): Promise<Row> {
  const runs: Row[] = [];
  for (let i = 0; i < reps; i++) runs.push(await measureOnce(fake, proc, scenario));
  const row = summarise(scenario.name, runs);
  rows.push(row);
  console.error(
    `${row.name}: ${row.reqPerSec} req/s, p99 ${row.p99} ms, ${row.cpuUsPerRequest} µs CPU, ${row.rssMaxMb} MB`,
  );
  return row;
}

// Warm the pools, TLS and the JIT before anything is measured: V8 optimises a function after
// enough calls, not after enough time, and a gateway in production has run for hours.
async function warm(proc: GatewayProcess, rpcToo = false): Promise<GatewayProcess> {
  await hookLoad(proc.httpPort, 32, "SMS", 4).catch(() => undefined);
  if (rpcToo) await rpcLoad(benchTransport("grpc", proc), 32, 2);
  return proc;
}

const reference = async (kind: ReferenceKind) => warm(await spawnReference(kind, fake));
const gatewayProc = async (traced: boolean, env: Record<string, string> = {}) =>
  warm(await spawnQuietGateway({ ...benchGatewayEnv(fake, traced), ...env }, traced), true);

/** Unique traffic at 128 connections until the stores are as full as a minute of load leaves them. */
async function prewarm(proc: GatewayProcess): Promise<void> {
  if (prewarmS > 0) await hookLoad(proc.httpPort, 128, "SMS", prewarmS);
}

// ---------- the CPU-bound regime, 128 connections ----------
const proxy = await reference("proxy");
await measure(proxy, { name: "ref bare proxy @128", run: hook(128), carrierCalls: true });
const tutorial = await reference("tutorial");
await measure(tutorial, { name: "ref tutorial (Express + axios) @128", run: hook(128), carrierCalls: true });
await tutorial.stop();

const gateway = await gatewayProc(false);
if (wanted("hook SMS @128, fresh"))
  await measure(gateway, { name: "hook SMS @128, fresh", run: hook(128), carrierCalls: true });
await prewarm(gateway);
if (wanted("hook SMS @128, steady"))
  await measure(gateway, { name: "hook SMS @128, steady", run: hook(128), carrierCalls: true });
if (wanted("SendOtp gRPC @128")) {
  const connectProxy = await spawnReference("connect-proxy", fake);
  await rpcLoad(benchTransport("grpc", connectProxy), 32, 4);
  await measure(connectProxy, {
    name: "ref connect-node SendOtp gRPC @128",
    run: rpc("grpc", 128),
    carrierCalls: true,
  });
  await connectProxy.stop();
  await measure(gateway, { name: "SendOtp gRPC @128", run: rpc("grpc", 128), carrierCalls: true });
}

// ---------- the latency-bound checks, 32 connections ----------
await measure(proxy, { name: "ref bare proxy @32", run: hook(32), carrierCalls: true });
const at32: Scenario[] = [
  { name: "hook SMS @32", run: hook(32), carrierCalls: true },
  { name: "hook Voice @32", run: hook(32, "Voice"), carrierCalls: true },
  { name: "SendOtp gRPC @32", run: rpc("grpc", 32), carrierCalls: true },
  { name: "SendOtp Connect @32", run: rpc("connect", 32), carrierCalls: true },
];
for (const scenario of at32.filter((s) => wanted(s.name))) await measure(gateway, scenario);

// ---------- one connection, interleaved with the upstream alone and the bare proxy ----------
const segments = reps * 2;
const atOne = Object.values(atOneNames).some((n) => !n.startsWith("ref") && wanted(n))
  ? await measureAtOne(fake, proxy, gateway, { segments, durationS, latencyMs })
  : undefined;
for (const row of atOne?.rows ?? []) {
  rows.push(row);
  console.error(`${row.name}: p50 ${row.p50} ms, p99 ${row.p99} ms`);
}
await proxy.stop();

// ---------- tracing, measured in turns at 128 connections ----------
// The steady gateway against two traced ones that served the same prewarm: the default sampler
// (every trace up to TRACES_PER_SECOND) and every request recorded. They take turns so all see
// the same machine (measured minutes apart, the ratio moved by ±10 points), each turn's order
// reversed from the last; a cost is the median of the turns' ratios.
const tracingPairs: Array<{ plain: number; traced: number; all: number }> = [];
if (wanted("hook SMS @128, tracing on")) {
  const traced = await gatewayProc(true);
  const all = await gatewayProc(true, { OTEL_TRACES_SAMPLER: "parentbased_always_on" });
  await prewarm(traced);
  await prewarm(all);
  const scenarios = {
    plain: { name: "hook SMS @128 (paired, tracing off)", run: hook(128), carrierCalls: true },
    traced: { name: "hook SMS @128, tracing on", run: hook(128), carrierCalls: true },
    all: { name: "hook SMS @128, tracing on, every request recorded", run: hook(128), carrierCalls: true },
  } satisfies Record<string, Scenario>;
  const procs = { plain: gateway, traced, all };
  const runs = { plain: [] as Row[], traced: [] as Row[], all: [] as Row[] };
  for (let i = 0; i < reps * 2; i++) {
    const order = (["plain", "traced", "all"] as const).slice();
    if (i % 2 === 1) order.reverse();
    for (const k of order) runs[k].push(await measureOnce(fake, procs[k], scenarios[k]));
    const last = (k: keyof typeof runs) => runs[k].at(-1)!.reqPerSec;
    tracingPairs.push({ plain: last("plain"), traced: last("traced"), all: last("all") });
  }
  for (const k of ["plain", "traced", "all"] as const) rows.push(summarise(scenarios[k].name, runs[k]));
  await traced.stop();
  await all.stop();
}
await gateway.stop();

// ---------- start-up ----------
const startup = onlyParts ? undefined : await measureStartup(benchGatewayEnv(fake, true));
fake.child.kill();

writeReport({
  rows,
  durationS,
  reps,
  latencyMs,
  prewarmS,
  atOne,
  tracingCost: tracingPairs.length ? median(tracingPairs.map((p) => 1 - p.traced / p.plain)) : undefined,
  tracingAllCost: tracingPairs.length ? median(tracingPairs.map((p) => 1 - p.all / p.plain)) : undefined,
  tracingPairs,
  startup,
});
process.exit(0);
