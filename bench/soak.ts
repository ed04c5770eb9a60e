// Soak: the hook at saturation for a long while (10 minutes by default), every send to a new
// number and user, watching the gateway's memory. The target (bench/README.md): RSS at the end
// within 10 % of its figure after the first minute, with no error and one 8x8 call per answer.
// Not a test: it reports; nothing in `npm test` runs it.
//
//   npm run soak                                    (builds, then ten minutes)
//   npx tsx bench/soak.ts --seconds 600 --connections 128 [--traced]
//                                  (--traced: OTLP to a discarding sink, the default sampler)
//
// Loopback only: the bench's fake 8x8 over HTTPS in its own process (20 ms), the built gateway
// with the start command's node arguments and every default limit on (bench/support/setup.ts).
import { mkdirSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { hookLoad, type LoadResult } from "./support/load.js";
import { procSample } from "./support/measure.js";
import { benchGatewayEnv, spawnQuietGateway, startBenchFake } from "./support/setup.js";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "600" },
    connections: { type: "string", default: "128" },
    traced: { type: "boolean", default: false },
  },
});
const seconds = Number(values.seconds);
const connections = Number(values.connections);

const fake = await startBenchFake(20);
const gw = await spawnQuietGateway(benchGatewayEnv(fake, values.traced), values.traced);
const pid = gw.child.pid!;
await hookLoad(gw.httpPort, 32, "SMS", 4); // the JIT's warm-up, not counted
await fake.reset();

// The load in 10 s slices, so throughput and memory can be read over time.
const slices: Array<{ atS: number; reqPerSec: number; rssMb: number; rssMaxMb: number }> = [];
const totals = { completed: 0, successful: 0, errors: 0, non2xx: 0 };
const started = performance.now();
let rssMax = 0;
const sampler = setInterval(() => (rssMax = Math.max(rssMax, procSample(pid).rssMb)), 500);
while ((performance.now() - started) / 1000 < seconds) {
  const r: LoadResult = await hookLoad(gw.httpPort, connections, "SMS", 10);
  totals.completed += r.completed;
  totals.successful += r.successful;
  totals.errors += r.errors;
  totals.non2xx += r.non2xx;
  const atS = Math.round((performance.now() - started) / 1000);
  slices.push({
    atS,
    reqPerSec: Math.round(r.reqPerSec),
    rssMb: Math.round(procSample(pid).rssMb),
    rssMaxMb: Math.round(rssMax),
  });
  console.error(
    `${atS} s: ${Math.round(r.reqPerSec)} req/s, RSS ${Math.round(procSample(pid).rssMb)} MB (max ${Math.round(rssMax)})`,
  );
}
clearInterval(sampler);
const counts = Object.values(await fake.stats());
const calls = counts.reduce((a, b) => a + b, 0);
await gw.stop();
fake.child.kill();

const atOneMinute = slices.find((s) => s.atS >= 60) ?? slices[0]!;
const last = slices.at(-1)!;
const maxAfterMinute = Math.max(...slices.filter((s) => s.atS >= 60).map((s) => s.rssMaxMb));
const report = {
  when: new Date().toISOString(),
  node: process.version,
  seconds,
  connections,
  traced: values.traced,
  ...totals,
  carrierCalls: calls,
  duplicated: counts.filter((c) => c > 1).length,
  missing: Math.max(0, totals.successful - calls),
  rssMb: { atOneMinute: atOneMinute.rssMaxMb, end: last.rssMb, maxAfterOneMinute: maxAfterMinute },
  growthOverOneMinute: Math.round((maxAfterMinute / atOneMinute.rssMaxMb - 1) * 1000) / 10,
  slices,
};
mkdirSync("bench/results", { recursive: true });
const file = `bench/results/soak-${report.when.replace(/[:.]/g, "-")}.json`;
writeFileSync(file, JSON.stringify(report, null, 2));
const { slices: _slices, ...summary } = report;
console.log(JSON.stringify(summary, null, 2));
console.log(`written to ${file}`);
process.exit(0);
