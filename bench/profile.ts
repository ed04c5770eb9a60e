// A CPU profile of the gateway under one load, and where its time goes per request. Not part
// of `npm run bench`: it is how bench/README.md's per-request costs were found.
//
//   npm run build && npx tsx bench/profile.ts [--load hook|grpc|connect] [--connections 32]
//       [--seconds 10] [--traced] [--prewarm 4]   (seconds of unprofiled load first; 50 for a
//                                                   steady state)
//
// The gateway runs with the start command's node arguments against the bench's fake 8x8
// (20 ms), warms up for 4 s, and is profiled for the load only (bench/support/cpu-profiler.mjs).
// The profile is written to bench/results/; Chrome DevTools (Performance, "Load profile") and
// VS Code show it as a flame graph.
import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { parseArgs } from "node:util";
import { startNodeOptions } from "../test/support/process.js";
import { benchTransport, hookLoad, type LoadResult, rpcLoad } from "./support/load.js";
import { benchGatewayEnv, spawnQuietGateway, startBenchFake } from "./support/setup.js";

const { values: opts } = parseArgs({
  options: {
    load: { type: "string", default: "hook" },
    connections: { type: "string", default: "32" },
    seconds: { type: "string", default: "10" },
    traced: { type: "boolean", default: false },
    prewarm: { type: "string", default: "4" },
  },
});
const load = opts.load as "hook" | "grpc" | "connect";
if (!["hook", "grpc", "connect"].includes(load))
  throw new Error(`--load must be hook, grpc or connect, not ${opts.load}`);
const connections = Number(opts.connections);
const seconds = Number(opts.seconds);

mkdirSync("bench/results", { recursive: true });
const out = `bench/results/profile-${load}${opts.traced ? "-traced" : ""}-${new Date().toISOString().replace(/[:.]/g, "-")}.cpuprofile`;
const fake = await startBenchFake(20);
const gateway = await spawnQuietGateway({ ...benchGatewayEnv(fake, opts.traced), CPU_PROFILE_OUT: out }, opts.traced, [
  ...startNodeOptions,
  "--import",
  "./bench/support/cpu-profiler.mjs",
  // tsc's one file per module, not the bundle: the report groups the profile's time by file.
  ...(opts.traced ? ["--import", "./dist/src/telemetry.js"] : []),
  "dist/src/main.js",
]);

const run = (s: number): Promise<LoadResult> =>
  load === "hook"
    ? hookLoad(gateway.httpPort, connections, "SMS", s)
    : rpcLoad(benchTransport(load, gateway), connections, s);
// Unprofiled first: the JIT's warm-up, and as long as --prewarm asks to fill the stores.
await run(Number(opts.prewarm));
gateway.child.kill("SIGUSR2");
const result = await run(seconds);
gateway.child.kill("SIGUSR2");
for (let i = 0; i < 100 && !(existsSync(out) && statSync(out).size > 0); i++)
  await new Promise((r) => setTimeout(r, 100));
await gateway.stop();
fake.child.kill();
if (!existsSync(out)) throw new Error("the gateway wrote no profile");
if (result.completed === 0) throw new Error(`no ${load} request completed; nothing to divide the profile by`);

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
const profile = JSON.parse(readFileSync(out, "utf8")) as {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
};
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));

/** Who a sample's time belongs to: an npm package, one of our modules, a Node module or V8. */
function owner({ url, functionName }: ProfileNode["callFrame"]): string {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (pkg) return pkg;
  if (url.includes("/dist/src/")) return `gateway: ${url.split("/dist/src/")[1]!.replace(/\.js$/, "")}`;
  if (url.startsWith("node:")) return url;
  if (url !== "") return url;
  // V8's own entries are named "(idle)", "(garbage collector)", "(program)"; natives by name.
  return functionName.startsWith("(") ? functionName : `(native)${functionName ? ` ${functionName}` : ""}`;
}

const byOwner = new Map<string, number>();
const byFunction = new Map<string, number>();
let total = 0;
profile.samples.forEach((id, i) => {
  const frame = nodes.get(id)!.callFrame;
  const micros = profile.timeDeltas[i] ?? 0;
  total += micros;
  const who = owner(frame);
  byOwner.set(who, (byOwner.get(who) ?? 0) + micros);
  const fn = frame.url ? `${frame.functionName || "(anonymous)"} ${who}:${frame.lineNumber + 1}` : who;
  byFunction.set(fn, (byFunction.get(fn) ?? 0) + micros);
});

const requests = result.completed;
const perRequest = (micros: number) => (micros / requests).toFixed(1).padStart(7);
const idle = byOwner.get("(idle)") ?? 0;
const top = (m: Map<string, number>, n: number) =>
  [...m]
    .filter(([k]) => k !== "(idle)")
    .sort((a, b) => b[1] - a[1])
    .slice(0, n);
console.log(
  `${load} at ${connections}${opts.traced ? ", tracing on" : ""}: ${requests} requests in ${seconds} s (${Math.round(result.reqPerSec)}/s, ${result.errors + result.non2xx} failed)`,
);
console.log(`main thread busy ${perRequest(total - idle)} µs a request (idle ${perRequest(idle).trim()})\n`);
console.log("µs a request  by owner (self time)");
for (const [k, v] of top(byOwner, 25)) console.log(`${perRequest(v)}       ${k}`);
console.log("\nµs a request  by function (self time)");
for (const [k, v] of top(byFunction, 20)) console.log(`${perRequest(v)}       ${k}`);
console.log(`\nprofile: ${out}`);
process.exit(0);
