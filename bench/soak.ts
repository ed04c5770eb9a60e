// Soak: the hook under steady load for a while, watching the gateway's memory and answers.
// Not a test: it reports; nothing in `npm test` runs it.
//
//   npm run build && npx tsx bench/soak.ts [--seconds 60] [--connections 8]
//
// Loopback only: a fake 8x8 (20 ms latency) and the built gateway as a child process.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import { startFake8x8 } from "../test/support/fake-8x8.js";
import { fakeCarrierEnv, oktaSecret } from "../test/support/gateway.js";
import { oktaHookBody } from "../test/support/okta.js";
import { spawnGateway } from "../test/support/process.js";

const { values } = parseArgs({
  options: { seconds: { type: "string", default: "60" }, connections: { type: "string", default: "8" } },
});
const seconds = Number(values.seconds);
const connections = Number(values.connections);

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round((kb / 1024) * 10) / 10;
}

const fake = await startFake8x8();
fake.behave({ kind: "delay", ms: 20 });
const gw = await spawnGateway(
  {
    ...fakeCarrierEnv(fake),
    OKTA_AUTH_SECRET: oktaSecret,
    LOG_LEVEL: "info",
    ...(process.env.SOAK_ENV ? JSON.parse(process.env.SOAK_ENV) : {}),
  },
  { telemetry: false },
);
const pid = gw.child.pid!;
const base = `http://127.0.0.1:${gw.httpPort}`;

let carrierCalls = 0;
const drain = setInterval(() => {
  carrierCalls += fake.requests.length;
  fake.requests.length = 0;
  fake.answers.length = 0;
}, 250);

// Warm up so the JIT and pools settle before the first memory reading.
await autocannon({
  url: `${base}/okta/telephony`,
  connections,
  duration: 5,
  requests: [{ method: "POST", setupRequest: (req) => ({ ...req, body: JSON.stringify(oktaHookBody()) }) }],
  headers: { "content-type": "application/json", authorization: oktaSecret },
});
const rssStart = rssMiB(pid);
const samples: number[] = [rssStart];
const sampler = setInterval(() => samples.push(rssMiB(pid)), 1000);
carrierCalls = 0;
fake.requests.length = 0;

const result = await autocannon({
  url: `${base}/okta/telephony`,
  connections,
  duration: seconds,
  requests: [{ method: "POST", setupRequest: (req) => ({ ...req, body: JSON.stringify(oktaHookBody()) }) }],
  headers: { "content-type": "application/json", authorization: oktaSecret },
});
clearInterval(sampler);
await new Promise((r) => setTimeout(r, 300));
clearInterval(drain);
carrierCalls += fake.requests.length;
const rssEnd = rssMiB(pid);

const report = {
  when: new Date().toISOString(),
  node: process.version,
  seconds,
  connections,
  requests: result.requests.total,
  reqPerSec: result.requests.average,
  latencyMs: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
  non2xx: result.non2xx,
  errors: result.errors,
  timeouts: result.timeouts,
  carrierCalls,
  rssMiB: {
    start: rssStart,
    end: rssEnd,
    max: Math.max(...samples),
    growth: Math.round((rssEnd - rssStart) * 10) / 10,
    every5s: samples.filter((_, i) => i % 5 === 0),
  },
};
await gw.stop();
await fake.close();
mkdirSync("bench/results", { recursive: true });
const file = `bench/results/soak-${report.when.replace(/[:.]/g, "-")}.json`;
writeFileSync(file, JSON.stringify(report, null, 2));
console.log(JSON.stringify(report, null, 2));
console.log(`written to ${file}`);
