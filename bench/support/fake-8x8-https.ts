// A fake 8x8 for benchmarks, run as its own process so it does not share a core's event loop
// with the load generator. HTTPS with a configurable latency; counts calls per destination so
// duplicates and losses show. Also a discard-everything OTLP sink for the tracing scenario.
//
//   node --import tsx bench/support/fake-8x8-https.ts   (config in env: TLS_CERT, TLS_KEY, LATENCY_MS)
import { randomUUID } from "node:crypto";
import { createServer as createHttpServer } from "node:http";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";

const latencyMs = Number(process.env.LATENCY_MS ?? "20");
const perDestination = new Map<string, number>();

const server = createServer(
  { cert: process.env.TLS_CERT, key: process.env.TLS_KEY, keepAliveTimeout: 60_000 },
  (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (req.url === "/__stats") {
        res.writeHead(200, { "content-type": "application/json" });
        return res.end(JSON.stringify(Object.fromEntries(perDestination)));
      }
      if (req.url === "/__reset") {
        perDestination.clear();
        return res.end("{}");
      }
      // The gateway's voice list, read at start-up: not a send, so not counted.
      if (req.method === "GET" && req.url?.endsWith("/speech-profiles")) {
        res.writeHead(200, { "content-type": "application/json" });
        return res.end(JSON.stringify({ speechProfiles: [{ speechProfileCode: "en-US-Jenny", localeCode: "en-US" }] }));
      }
      let body: { destination?: string; callflow?: Array<{ params?: { destination?: string } }> } = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        // counted under "" below
      }
      const destination = body.destination ?? body.callflow?.[0]?.params?.destination ?? "";
      perDestination.set(destination, (perDestination.get(destination) ?? 0) + 1);
      const voice = req.url?.endsWith("/callflows");
      setTimeout(() => {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(
          JSON.stringify(
            voice
              ? {
                  sessionId: randomUUID(),
                  sessionStatus: "CREATED",
                  callFlowRequestId: randomUUID(),
                  statusCode: 1,
                  statusMessage: "Created",
                }
              : {
                  umid: randomUUID(),
                  clientMessageId: null,
                  destination: destination.replace(/^\+/, ""),
                  encoding: "GSM7",
                  status: { code: "QUEUED", description: "SMS is accepted and queued for processing" },
                },
          ),
        );
      }, latencyMs);
    });
  },
);

const sink = createHttpServer((req, res) => {
  req.resume();
  req.on("end", () => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end("{}");
  });
});

server.listen(0, "127.0.0.1", () => {
  sink.listen(0, "127.0.0.1", () => {
    const port = (server.address() as AddressInfo).port;
    const sinkPort = (sink.address() as AddressInfo).port;
    process.stdout.write(`${JSON.stringify({ port, sinkPort })}\n`);
  });
});
