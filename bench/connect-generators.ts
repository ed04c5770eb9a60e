// What a unary call leaves for the old generation in Connect's server, against a hand-written
// gRPC answer on plain node:http2 measured in the same run (bench/support/bare-connect-server.ts).
// No gateway code runs here: this is the evidence for bench/README.md's "The RPC rows" and what an
// upstream report to connect-es needs.
//
//   npx tsx bench/connect-generators.ts [--seconds 5] [--rounds 3] [--concurrency 4]
//
// Connect ships ES2017 output, where every async generator becomes a generator function created
// anew on each call (`__asyncGenerator(this, arguments, function* pipe_1() {…})`). V8 gives each
// such function its own prototype and hidden class in the old generation, and through them the
// call's objects survive young-generation collections until the next full one.

import { fork } from "node:child_process";
import { parseArgs } from "node:util";
import type { Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { startNodeOptions } from "../test/support/process.js";
import { rpcLoad } from "./support/load.js";
import { median } from "./support/stats.js";

const { values: opts } = parseArgs({
  options: {
    seconds: { type: "string", default: "5" },
    rounds: { type: "string", default: "3" },
    concurrency: { type: "string", default: "4" },
  },
});
const seconds = Number(opts.seconds);
const concurrency = Number(opts.concurrency);

interface Stopped {
  cpuUs: number;
  promoted: number;
  scavenges: number;
}
interface Mechanism {
  once: { promoted: number };
  perCall: { promoted: number };
}

// The child runs with the start command's V8 flags, as the gateway does.
const child = fork("bench/support/bare-connect-server.ts", [], { execArgv: [...startNodeOptions, "--import", "tsx"] });
const replies: Array<(m: unknown) => void> = [];
child.on("message", (m) => replies.shift()?.(m));
const next = <T>() => new Promise<T>((resolve) => replies.push(resolve as (m: unknown) => void));
const ask = <T>(msg: object) => {
  const reply = next<T>();
  child.send(msg);
  return reply;
};

const { ports } = await next<{ ports: { raw: number; grpc: number; connect: number } }>();
const targets: Record<string, Transport> = {
  "plain node:http2, gRPC (reference)": createGrpcTransport({ baseUrl: `http://127.0.0.1:${ports.raw}` }),
  "Connect, gRPC over HTTP/2": createGrpcTransport({ baseUrl: `http://127.0.0.1:${ports.grpc}` }),
  "Connect, Connect protocol over HTTP/1.1": createConnectTransport({
    baseUrl: `http://127.0.0.1:${ports.connect}`,
    httpVersion: "1.1",
  }),
};

for (const transport of Object.values(targets)) await rpcLoad(transport, concurrency, 2);

const results = new Map<string, Array<Stopped & { calls: number }>>();
for (let round = 0; round < Number(opts.rounds); round++) {
  const names = Object.keys(targets);
  // Rotated each round, so no target always follows the same one.
  for (const name of [...names.slice(round % names.length), ...names.slice(0, round % names.length)]) {
    await ask({ op: "start" });
    const load = await rpcLoad(targets[name]!, concurrency, seconds);
    const stopped = await ask<Stopped>({ op: "stop" });
    if (load.errors > 0) throw new Error(`${name}: ${load.errors} calls failed`);
    results.set(name, [...(results.get(name) ?? []), { ...stopped, calls: load.completed }]);
  }
}
const mech = await ask<Mechanism>({ op: "mechanism", calls: 40_000 });
child.send({ op: "exit" });

const rows = [...results].map(([name, runs]) => ({
  name,
  calls: median(runs.map((r) => r.calls)),
  promotedPerCall: median(runs.map((r) => r.promoted / r.calls)),
  scavengesPer1000: median(runs.map((r) => (r.scavenges * 1000) / r.calls)),
  cpuUsPerCall: median(runs.map((r) => r.cpuUs / r.calls)),
}));
const ref = rows[0]!;
console.log(
  `${seconds} s of unary calls a round, ${concurrency} at a time, median of ${opts.rounds} rounds; server-side figures\n`,
);
console.log(
  "| server | calls a round | moved to old generation, bytes a call | ÷ reference | young-generation GCs per 1,000 calls | CPU µs a call | ÷ reference |",
);
console.log("|---|---|---|---|---|---|---|");
for (const r of rows) {
  console.log(
    `| ${r.name} | ${r.calls} | ${Math.round(r.promotedPerCall)} | ${(r.promotedPerCall / Math.max(1, ref.promotedPerCall)).toFixed(1)} | ${r.scavengesPer1000.toFixed(1)} | ${Math.round(r.cpuUsPerCall)} | ${(r.cpuUsPerCall / ref.cpuUsPerCall).toFixed(2)} |`,
  );
}
const per = (b: number) => Math.round(b / 40_000);
console.log(
  `\nThe mechanism alone (40,000 calls, each generator holding 1 KB): a generator function declared once moved ${per(mech.once.promoted)} bytes a call to the old generation, one created inside each call ${per(mech.perCall.promoted)} (${(mech.perCall.promoted / Math.max(1, mech.once.promoted)).toFixed(0)}×).`,
);
