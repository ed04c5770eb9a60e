// The benchmark's verdict: each target of the performance issue read from one run's rows, as a
// table for bench/README.md and as JSON in bench/results/.
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { type AtOneResult, atOneNames, quantile } from "./at-one.js";
import { missingRow, type Row } from "./measure.js";
import type { StartupResult } from "./startup.js";

export interface RunReport {
  readonly rows: Row[];
  readonly durationS: number;
  readonly reps: number;
  readonly latencyMs: number;
  readonly prewarmS: number;
  readonly atOne?: AtOneResult;
  /** With the default sampler (every trace up to TRACES_PER_SECOND). */
  readonly tracingCost?: number;
  /** With every request recorded (OTEL_TRACES_SAMPLER=parentbased_always_on). */
  readonly tracingAllCost?: number;
  readonly tracingPairs: Array<{ plain: number; traced: number; all: number }>;
  readonly startup?: StartupResult;
}

interface Target {
  readonly target: string;
  readonly value: string;
  readonly ok: boolean;
}

const pct = (x: number) => `${Math.round(x * 100)} %`;
const signed = (x: number) => (x >= 0 ? `+${x}` : `${x}`);

function targetsOf(r: RunReport): Target[] {
  const ran = (name: string) => r.rows.some((row) => row.name === name);
  const get = (name: string) => r.rows.find((row) => row.name === name) ?? missingRow;
  const steady = get("hook SMS @128, steady");
  const proxy = get("ref bare proxy @128");
  const gatewayRows = r.rows.filter((row) => !row.name.startsWith("ref"));
  const targets: Target[] = [];
  const add = (needs: string | undefined, target: string, value: string, ok: boolean) => {
    if (needs === undefined || ran(needs)) targets.push({ target, value, ok });
  };
  const vsProxy = steady.reqPerSec / proxy.reqPerSec;
  add(
    "hook SMS @128, steady",
    "hook @128, steady state, ≥ 80 % of bare proxy",
    `${pct(vsProxy)} (${steady.cpuUsPerRequest} µs CPU a request against the proxy's ${proxy.cpuUsPerRequest})`,
    vsProxy >= 0.8,
  );
  const vsTutorial = steady.reqPerSec / get("ref tutorial (Express + axios) @128").reqPerSec;
  add(
    "hook SMS @128, steady",
    "hook @128, steady state, ≥ 3× the Express + axios tutorial",
    `${vsTutorial.toFixed(1)}×`,
    vsTutorial >= 3,
  );
  const worstErrors = Math.max(...gatewayRows.map((row) => row.errors + row.non2xx));
  add(undefined, "0 errors, 0 non-2xx", `${worstErrors}`, worstErrors === 0);
  const dup = Math.max(...gatewayRows.map((row) => row.duplicates));
  const miss = Math.max(...gatewayRows.map((row) => row.missingCalls));
  add(undefined, "exactly one 8x8 call per request", `${dup} duplicated, ${miss} missing`, dup === 0 && miss === 0);
  add(
    "hook SMS @128, steady",
    "RSS in steady state ≤ 150 MB",
    `${steady.rssMaxMb} MB (fresh: ${get("hook SMS @128, fresh").rssMaxMb} MB)`,
    steady.rssMaxMb <= 150,
  );
  const hook1 = get(atOneNames.hook).p99;
  const up1 = get(atOneNames.upstream).p99;
  const over = Math.round((hook1 - up1) * 10) / 10;
  const segments = r.atOne?.segmentP99s.map((s) => signed(Math.round((s.hook - s.upstream) * 10) / 10)).join(", ");
  add(
    atOneNames.hook,
    "hook @1 p99 ≤ upstream p99 + 2 ms (interleaved)",
    `${signed(over)} ms (upstream ${up1} ms, bare proxy ${get(atOneNames.proxy).p99} ms, hook ${hook1} ms; per segment: ${segments} ms)`,
    over <= 2,
  );
  if (r.tracingCost !== undefined) {
    const pairs = r.tracingPairs.map((p) => Math.round((1 - p.traced / p.plain) * 100)).join(", ");
    const all = r.tracingPairs.map((p) => Math.round((1 - p.all / p.plain) * 100)).join(", ");
    add(
      undefined,
      "tracing on costs ≤ 10 % of throughput @128",
      `${pct(r.tracingCost)} with the default sampler (turns: ${pairs} %); every request recorded: ${pct(r.tracingAllCost ?? Number.NaN)} (turns: ${all} %)`,
      r.tracingCost <= 0.1,
    );
  }
  const grpc = get("SendOtp gRPC @128").reqPerSec / get("ref connect-node SendOtp gRPC @128").reqPerSec;
  add("SendOtp gRPC @128", "SendOtp gRPC @128 ≥ 70 % of bare connect-node", pct(grpc), grpc >= 0.7);
  if (r.startup) {
    const s = r.startup;
    add(
      undefined,
      "ready ≤ 1 s after `npm start` (built)",
      `${s.npmStartMs} ms (node alone: ${s.nodePlainMs} ms, with tracing ${s.nodeTracedMs} ms)`,
      s.npmStartMs <= 1000,
    );
  }
  return targets;
}

function tables(r: RunReport, targets: Target[]): string {
  const proxy128 = r.rows.find((row) => row.name === "ref bare proxy @128")?.reqPerSec ?? Number.NaN;
  const rows = [
    "| scenario | req/s | p50 ms | p99 ms | non-2xx | errors | RSS max MB | CPU % | CPU µs/req | ÷ bare proxy @128 |",
    "|---|---|---|---|---|---|---|---|---|---|",
    ...r.rows.map(
      (row) =>
        `| ${row.name} | ${row.reqPerSec} | ${row.p50} | ${row.p99} | ${row.non2xx} | ${row.errors} | ${row.rssMaxMb} | ${row.cpuPercent} | ${row.cpuUsPerRequest} | ${(row.reqPerSec / proxy128).toFixed(2)} |`,
    ),
  ].join("\n");
  const qs = [0.5, 0.9, 0.99, 0.995];
  const atOne = r.atOne
    ? [
        `| @1, interleaved (ms) | ${qs.map((q) => `p${q * 100}`).join(" | ")} |`,
        `|---|${qs.map(() => "---|").join("")}`,
        ...(Object.keys(atOneNames) as Array<keyof typeof atOneNames>).map(
          (k) => `| ${atOneNames[k]} | ${qs.map((q) => quantile(r.atOne!.latencies[k], q)).join(" | ")} |`,
        ),
      ].join("\n")
    : "";
  const verdict = [
    "| target | measured | met |",
    "|---|---|---|",
    ...targets.map((t) => `| ${t.target} | ${t.value} | ${t.ok ? "yes" : "NO"} |`),
  ].join("\n");
  return [rows, atOne, verdict].filter(Boolean).join("\n\n");
}

/** Prints the tables and writes the run to bench/results/bench-<time>.json. */
export function writeReport(r: RunReport): void {
  const targets = targetsOf(r);
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, Node ${process.version}`;
  const when = new Date().toISOString();
  const { atOne, ...rest } = r;
  const report = { when, machine, ...rest, atOneSegmentP99s: atOne?.segmentP99s, targets };
  mkdirSync("bench/results", { recursive: true });
  const file = `bench/results/bench-${when.replace(/[:.]/g, "-")}.json`;
  writeFileSync(file, JSON.stringify(report, null, 2));
  console.log(
    `\n${machine}; ${r.reps} × ${r.durationS} s per scenario (median), upstream ${r.latencyMs} ms, prewarm ${r.prewarmS} s\n\n${tables(r, targets)}\n\nJSON: ${file}`,
  );
}
