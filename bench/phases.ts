// Where a request's time goes inside the server at one connection, for the bare proxy and one
// or more gateways (each with its own node arguments) side by side. Not part of `npm run bench`:
// it is the tool that found the memory reducer's cost (bench/README.md).
//
//   npm run build && npx tsx bench/phases.ts [--rounds 60]
//       [--variant "name=--flag --flag"]...   (default: the start command's node arguments)
//
// The targets take 20-request blocks in turns as in bench/run.ts's @1 measurement, after a
// 4 s warm-up at 32 connections each. bench/support/phase-timer.mjs, preloaded into every
// server, times each request: Fastify up to the handler (auth hook, body, validation), the
// handler up to the 8x8 call, the 8x8 call, and from its answer to the response's end.
import { readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { Client } from "undici";
import { oktaHookBody } from "../test/support/okta.js";
import { type GatewayProcess, startEntry, startNodeOptions } from "../test/support/process.js";
import {
  benchGatewayEnv,
  benchOktaSecret,
  spawnQuietGateway,
  spawnReference,
  startBenchFake,
} from "./support/setup.js";

const { values: opts } = parseArgs({
  options: { rounds: { type: "string", default: "60" }, variant: { type: "string", multiple: true } },
});
const rounds = Number(opts.rounds);
const variants = (opts.variant ?? ["gateway="]).map((v) => {
  const [name, flags = ""] = v.split(/=(.*)/s);
  return { name: name!, args: flags.trim() === "" ? [...startNodeOptions] : flags.trim().split(/\s+/) };
});

const fake = await startBenchFake(20);
const preload = `--import=${join(process.cwd(), "bench/support/phase-timer.mjs")}`;
const outFile = (name: string) => join(tmpdir(), `otp-gateway-phases-${process.pid}-${name}.json`);
interface Target {
  readonly name: string;
  readonly proc: GatewayProcess;
  readonly out: string;
  readonly client: Client;
  readonly latencies: number[];
}
const targets: Target[] = [];
const add = (name: string, proc: GatewayProcess) =>
  targets.push({
    name,
    proc,
    out: outFile(name),
    client: new Client(`http://127.0.0.1:${proc.httpPort}`),
    latencies: [],
  });

add(
  "ref bare proxy",
  await spawnReference("proxy", fake, { NODE_OPTIONS: preload, PHASES_OUT: outFile("ref bare proxy") }),
);
for (const v of variants) {
  const env = { ...benchGatewayEnv(fake, false), NODE_OPTIONS: preload, PHASES_OUT: outFile(v.name) };
  add(v.name, await spawnQuietGateway(env, false, [...v.args, startEntry]));
}

let counter = 0;
const body = () =>
  JSON.stringify(
    oktaHookBody({
      phoneNumber: `+4474002${String(10000 + (counter++ % 89999)).padStart(5, "0")}`,
      deliveryChannel: "SMS",
    }),
  );
const headers = { "content-type": "application/json", authorization: benchOktaSecret };
for (const t of targets) {
  await autocannon({
    url: `http://127.0.0.1:${t.proc.httpPort}/okta/telephony`,
    method: "POST",
    connections: 32,
    duration: 4,
    headers,
    requests: [{ setupRequest: (r) => ({ ...r, body: body() }) }],
  });
}
const block = async (t: Target, measured: boolean) => {
  for (let i = 0; i < 20; i++) {
    const started = performance.now();
    const res = await t.client.request({ method: "POST", path: "/okta/telephony", headers, body: body() });
    const text = await res.body.text();
    if (!text.includes('"SUCCESSFUL"')) throw new Error(`${t.name} answered ${res.statusCode}: ${text.slice(0, 200)}`);
    if (measured) t.latencies.push(performance.now() - started);
  }
};
const faults = (pid: number) => Number(readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ")[7]);
for (let round = 0; round < 10; round++) for (const t of targets) await block(t, false);
const settle = () => new Promise((r) => setTimeout(r, 300));
for (const t of targets) t.proc.child.kill("SIGUSR2"); // drops the warm-up's records
await settle();
const faultsBefore = targets.map((t) => faults(t.proc.child.pid!));
for (let round = 0; round < rounds; round++)
  for (let k = 0; k < targets.length; k++) await block(targets[(round + k) % targets.length]!, true);
const faultsAfter = targets.map((t) => faults(t.proc.child.pid!));
for (const t of targets) t.proc.child.kill("SIGUSR2");
await settle();

const q = (xs: number[], p: number) =>
  ([...xs].sort((a, b) => a - b)[Math.floor(p * (xs.length - 1))] ?? NaN).toFixed(2);
const held = (xs: number[]) => xs.filter((x) => x > 2).length;
console.log(`${rounds * 20} requests each, ms (p50 / p99, and how many took over 2 ms)\n`);
console.log(
  "| target | client p50 | client p99 | to handler | handler to 8x8 call | 8x8 call p50 / p99 | 8x8 answer to end | GC pauses on own path | page faults / request |",
);
console.log("|---|---|---|---|---|---|---|---|---|");
targets.forEach((t, i) => {
  const { requests, gcs } = JSON.parse(readFileSync(t.out, "utf8")) as {
    requests: Array<{ start: number; handler: number; carrierSent: number; carrierDone: number; end: number }>;
    gcs: Array<[number, number]>;
  };
  rmSync(t.out, { force: true });
  const toHandler = requests.map((r) => r.handler - r.start);
  const toCarrier = requests.map((r) => r.carrierSent - r.handler);
  const carrier = requests.map((r) => r.carrierDone - r.carrierSent);
  const after = requests.map((r) => r.end - r.carrierDone);
  const overlaps = (a: number, b: number) => gcs.some(([s, d]) => s + d > a && s < b);
  const gcOnPath = requests.filter((r) => overlaps(r.start, r.carrierSent) || overlaps(r.carrierDone, r.end)).length;
  const phase = (xs: number[]) => `${q(xs, 0.5)} / ${q(xs, 0.99)} (${held(xs)})`;
  console.log(
    `| ${t.name} | ${q(t.latencies, 0.5)} | ${q(t.latencies, 0.99)} | ${phase(toHandler)} | ${phase(toCarrier)} | ${q(carrier, 0.5)} / ${q(carrier, 0.99)} | ${phase(after)} | ${gcOnPath} | ${((faultsAfter[i]! - faultsBefore[i]!) / t.latencies.length).toFixed(1)} |`,
  );
});
await Promise.all(
  targets.map(async (t) => {
    await t.client.close();
    await t.proc.stop();
  }),
);
fake.child.kill();
