// A child process for bench/connect-generators.ts: OtpService.SendOtp served by Connect with none
// of the gateway's code (it answers at once), next to a hand-written gRPC answer on plain
// node:http2 as the reference, and V8's GC profiler switched on and off over IPC.

import { createServer as createHttp1Server } from "node:http";
import { createServer as createHttp2Server, type Http2ServerRequest, type Http2ServerResponse } from "node:http2";
import type { AddressInfo } from "node:net";
import { GCProfiler } from "node:v8";
import { create, toBinary } from "@bufbuild/protobuf";
import type { ConnectRouter } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { DeliveryStatus, OtpService, SendOtpResponseSchema } from "../../gen/otp/v1/otp_pb.js";

const answer = create(SendOtpResponseSchema, {
  deliveryId: "0b6f4c52-7d0e-4a55-9a1e-0f5e2d1c3b4a",
  provider: "8x8",
  status: DeliveryStatus.ACCEPTED,
});
const routes = (router: ConnectRouter) => router.service(OtpService, { sendOtp: () => answer });

// The same bytes Connect puts on the wire for a unary gRPC answer: one length-prefixed message,
// then grpc-status in the trailers.
const message = toBinary(SendOtpResponseSchema, answer);
const frame = Buffer.alloc(5 + message.length);
frame.writeUInt32BE(message.length, 1);
frame.set(message, 5);
function rawGrpc(req: Http2ServerRequest, res: Http2ServerResponse) {
  req.resume();
  req.once("end", () => {
    res.writeHead(200, { "content-type": "application/grpc+proto" });
    res.addTrailers({ "grpc-status": "0" });
    res.end(frame);
  });
}

const listen = (server: {
  listen(port: number, host: string, cb: () => void): unknown;
  address(): AddressInfo | string | null;
}) =>
  new Promise<number>((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)),
  );

const ports = {
  raw: await listen(createHttp2Server(rawGrpc)),
  grpc: await listen(createHttp2Server(connectNodeAdapter({ routes }))),
  connect: await listen(createHttp1Server(connectNodeAdapter({ routes }))),
};

/** Bytes that scavenges moved into the old generation, from V8's own before/after figures. */
function promotedBy(report: ReturnType<GCProfiler["stop"]>) {
  let promoted = 0;
  let scavenges = 0;
  const oldUsed = (s: (typeof report.statistics)[number]["beforeGC"]) =>
    s.heapSpaceStatistics
      .filter((x) => x.spaceName === "old_space" || x.spaceName === "large_object_space")
      .reduce((a, x) => a + x.spaceUsedSize, 0);
  for (const gc of report.statistics) {
    if (gc.gcType !== "Scavenge") continue;
    scavenges += 1;
    promoted += Math.max(0, oldUsed(gc.afterGC) - oldUsed(gc.beforeGC));
  }
  return { promoted, scavenges };
}

// The mechanism on its own: what TypeScript's ES2017 output does with an async generator (a
// generator function created inside the call) against a generator function declared once.
// Each call's generator holds a 1 KB payload, as Connect's hold a call's pipeline.
function* declaredOnce(payload: number[]) {
  yield payload.length;
}
function madePerCall(payload: number[]) {
  return (function* madeNow() {
    yield payload.length;
  })();
}
function mechanism(make: (payload: number[]) => Generator<number>, calls: number) {
  const p = new GCProfiler();
  p.start();
  let sum = 0;
  for (let i = 0; i < calls; i++) for (const n of make(new Array<number>(128).fill(i))) sum += n;
  return { ...promotedBy(p.stop()), sum };
}

let profiler: GCProfiler | undefined;
let cpuAtStart = process.cpuUsage();
process.on("message", (m: { op: "start" | "stop" | "mechanism" | "exit"; calls?: number }) => {
  if (m.op === "mechanism") {
    // A first round of each leaves start-up's garbage and the JIT's warm-up out of the figures.
    mechanism(declaredOnce, m.calls!);
    mechanism(madePerCall, m.calls!);
    process.send!({
      op: "mechanism",
      once: mechanism(declaredOnce, m.calls!),
      perCall: mechanism(madePerCall, m.calls!),
    });
  } else if (m.op === "start") {
    profiler = new GCProfiler();
    profiler.start();
    cpuAtStart = process.cpuUsage();
    process.send!({ op: "started" });
  } else if (m.op === "stop") {
    const cpu = process.cpuUsage(cpuAtStart);
    process.send!({ op: "stopped", cpuUs: cpu.user + cpu.system, ...promotedBy(profiler!.stop()) });
  } else process.exit(0);
});
process.send!({ op: "ready", ports });
