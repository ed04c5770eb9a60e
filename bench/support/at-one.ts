// Latency at one connection, the upstream alone, the bare proxy and the hook interleaved.
//
// The @1 target compares the hook's p99 with the upstream's. Against the fixed 20 ms the result
// followed the machine's load rather than the gateway: in six runs the bare proxy's own p99 went
// from 21 to 29 ms. In 5 s turns the host's load still changed from turn to turn. So the three
// are interleaved in blocks: each block is 20 requests back to back on one kept-alive
// connection (so work a server does after answering still meets the next request), and each
// round visits the three in a rotated order. A burst of host load then lands on all three alike
// (two identical gateways measured side by side this way read 27.5 and 27.7 ms at p99).
// Percentiles are taken over all of a target's requests. autocannon cannot interleave targets,
// so this uses undici's Client directly; the connections are opened during unmeasured warm-up
// rounds, which also let earlier load's GC and JIT work settle.
import { readFileSync } from "node:fs";
import { Client } from "undici";
import { oktaHookBody } from "../../test/support/okta.js";
import type { GatewayProcess } from "../../test/support/process.js";
import { nextPhone, nextUser } from "./load.js";
import { procSample, type Row } from "./measure.js";
import { type BenchFake, benchOktaSecret } from "./setup.js";

export const atOneNames = {
  upstream: "ref upstream alone @1",
  proxy: "ref bare proxy @1",
  hook: "hook SMS @1",
} as const;
type Key = keyof typeof atOneNames;

export const quantile = (xs: number[], q: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return Math.round((sorted[Math.floor(q * (sorted.length - 1))] ?? Number.NaN) * 10) / 10;
};

interface Target {
  readonly key: Key;
  readonly client: Client;
  readonly pid: number;
  readonly request: () => { path: string; headers: Record<string, string>; body: string };
  readonly ok: (status: number, body: string) => boolean;
}

function targetsOf(fake: BenchFake, proxy: GatewayProcess, gateway: GatewayProcess): Target[] {
  const hookRequest = () => ({
    path: "/okta/telephony",
    headers: { "content-type": "application/json", authorization: benchOktaSecret },
    body: JSON.stringify(oktaHookBody({ phoneNumber: nextPhone(), userId: nextUser(), deliveryChannel: "SMS" })),
  });
  const answered = (status: number, body: string) => status === 200 && body.includes('"SUCCESSFUL"');
  return [
    {
      key: "upstream",
      client: new Client(fake.upstream, { connect: { ca: readFileSync(fake.tls.caFile) } }),
      pid: fake.child.pid!,
      request: () => ({
        path: "/api/v1/subaccounts/acme_hq/messages",
        headers: { "content-type": "application/json", authorization: "Bearer bench", accept: "application/json" },
        body: JSON.stringify({
          source: "Acme",
          destination: nextPhone(),
          text: "Your verification code is 482913",
          encoding: "AUTO",
          clientMessageId: "bench",
        }),
      }),
      ok: (status) => status === 200,
    },
    {
      key: "proxy",
      client: new Client(`http://127.0.0.1:${proxy.httpPort}`),
      pid: proxy.child.pid!,
      request: hookRequest,
      ok: answered,
    },
    {
      key: "hook",
      client: new Client(`http://127.0.0.1:${gateway.httpPort}`),
      pid: gateway.child.pid!,
      request: hookRequest,
      ok: answered,
    },
  ];
}

export interface AtOneResult {
  readonly rows: Row[];
  readonly latencies: Record<Key, number[]>;
  /** The p99s of each 1/segments of the requests, to show how steady the reading is. */
  readonly segmentP99s: Array<Record<Key, number>>;
}

/** About `segments × durationS` seconds of requests per target, after 15 unmeasured rounds. */
export async function measureAtOne(
  fake: BenchFake,
  proxy: GatewayProcess,
  gateway: GatewayProcess,
  opts: { segments: number; durationS: number; latencyMs: number },
): Promise<AtOneResult> {
  const blockSize = 20;
  const targets = targetsOf(fake, proxy, gateway);
  const latencies: Record<Key, number[]> = { upstream: [], proxy: [], hook: [] };
  const tally = Object.fromEntries(
    targets.map((t) => [t.key, { ms: 0, successful: 0, failed: 0, rssMaxMb: 0, first: procSample(t.pid) }]),
  ) as Record<
    Key,
    { ms: number; successful: number; failed: number; rssMaxMb: number; first: ReturnType<typeof procSample> }
  >;
  const runBlock = async (t: Target, into?: number[]) => {
    const began = performance.now();
    for (let i = 0; i < blockSize; i++) {
      const started = performance.now();
      try {
        const res = await t.client.request({ method: "POST", ...t.request() });
        const body = await res.body.text();
        if (!into) continue;
        into.push(performance.now() - started);
        if (t.ok(res.statusCode, body)) tally[t.key].successful += 1;
        else tally[t.key].failed += 1;
      } catch {
        if (into) tally[t.key].failed += 1;
      }
    }
    if (into) tally[t.key].ms += performance.now() - began;
  };
  for (let round = 0; round < 15; round++) for (const t of targets) await runBlock(t);
  await fake.reset();
  for (const t of targets) tally[t.key].first = procSample(t.pid);
  const sessionStarted = performance.now();
  const rounds = Math.ceil((opts.segments * opts.durationS * 1000) / (opts.latencyMs + 2) / blockSize);
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < targets.length; k++) {
      const t = targets[(round + k) % targets.length]!;
      await runBlock(t, latencies[t.key]);
      tally[t.key].rssMaxMb = Math.max(tally[t.key].rssMaxMb, procSample(t.pid).rssMb);
    }
  }
  const sessionS = (performance.now() - sessionStarted) / 1000;
  const counts = Object.values(await fake.stats());
  const calls = counts.reduce((a, b) => a + b, 0);
  const successful = Object.values(tally).reduce((a, t) => a + t.successful, 0);
  const segmentP99s = Array.from({ length: opts.segments }, (_, s) => {
    const slice = (xs: number[]) =>
      quantile(
        xs.slice(Math.floor((s * xs.length) / opts.segments), Math.floor(((s + 1) * xs.length) / opts.segments)),
        0.99,
      );
    return { upstream: slice(latencies.upstream), proxy: slice(latencies.proxy), hook: slice(latencies.hook) };
  });
  const rows = targets.map((t): Row => {
    const own = tally[t.key];
    const cpuSeconds = (procSample(t.pid).ticks - own.first.ticks) / 100;
    return {
      name: atOneNames[t.key],
      reqPerSec: Math.round(latencies[t.key].length / (own.ms / 1000)),
      p50: quantile(latencies[t.key], 0.5),
      p99: quantile(latencies[t.key], 0.99),
      non2xx: own.failed,
      errors: 0,
      rssMaxMb: Math.round(own.rssMaxMb),
      // Over the whole interleaved session; the fake's row includes serving the other two.
      cpuPercent: Math.round((cpuSeconds / sessionS) * 100),
      cpuUsPerRequest: t.key === "upstream" ? Number.NaN : Math.round((cpuSeconds * 1e6) / latencies[t.key].length),
      // The fake counts calls per destination across all three; they are reported once, on the hook's row.
      duplicates: t.key === "hook" ? counts.filter((c) => c > 1).length : 0,
      missingCalls: t.key === "hook" ? Math.max(0, successful - calls) : 0,
    };
  });
  await Promise.all(targets.map((t) => t.client.close()));
  return { rows, latencies, segmentP99s };
}
