import { trace } from "@opentelemetry/api";
import { afterEach, describe, expect, it } from "vitest";
import { tracingEnabled } from "../src/observability/tracing-enabled.js";
import { facadeApiKey, fakeCarrierEnv, oktaSecret } from "./support/gateway.js";
import { oktaHookBody, postHook } from "./support/okta.js";
import type { ExportedSpan } from "./support/otlp-sink.js";
import type { GatewayProcess } from "./support/process.js";
import { dlrBody, receiptEnv, webhookSecret } from "./support/receipts.js";
import { useTracedGateways } from "./support/traced-gateways.js";

// Real gateway processes started as in production (node --import telemetry), exporting OTLP/JSON
// to an in-memory receiver; the test reads back what an SRE's collector would get.

const otpCode = "730146";
const phone = "+447911123456";
const phoneDigits = "447911123456";
const nationalDigits = "7911123456";

const gateways = useTracedGateways({ LOG_LEVEL: "debug" });
const start = gateways.start;

async function waitFor<T>(find: () => T | undefined, what: string): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const found = find();
    if (found !== undefined) return found;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

afterEach(() => {
  gateways.fake.requests.length = 0;
});

/** Sends one hook request and returns every span of its trace once the 8x8 call is exported. */
async function traceOfOneHookCall(hookPort: number, eventId: string, channel: string) {
  const res = await postHook(
    `http://127.0.0.1:${hookPort}`,
    oktaHookBody({ eventId, otpCode, phoneNumber: phone, deliveryChannel: channel }),
  );
  expect(res.json.commands[0].value[0].status).toBe("SUCCESSFUL");
  const root = await waitFor(
    () => gateways.sink.spans.find((s) => s.attributes["okta.event_id"] === eventId),
    "the hook span carrying okta.event_id",
  );
  const traceId = root.traceId;
  const carrierSpan = await waitFor(
    () =>
      gateways.sink.spans.find(
        (s) => s.traceId === traceId && String(s.attributes["url.full"] ?? "").startsWith(gateways.fake.url),
      ),
    "the 8x8 HTTP client span in the same trace",
  );
  const rpcServer = await waitFor(
    () =>
      gateways.sink.spans.find(
        (s) => s.traceId === traceId && s.kind === 2 && s.attributes["rpc.method"] === "otp.v1.OtpService/SendOtp",
      ),
    "the RPC server span",
  );
  // Give the batch processors one more round to flush the parents that end last.
  await new Promise((r) => setTimeout(r, 300));
  const spans = gateways.sink.spans.filter((s) => s.traceId === traceId);
  return { root, carrierSpan, rpcServer, spans };
}

function expectNoOrphans(spans: ExportedSpan[]) {
  const ids = new Set(spans.map((s) => s.spanId));
  const roots = spans.filter((s) => s.parentSpanId === undefined);
  expect(roots.map((s) => s.name)).toEqual(["POST /okta/telephony"]);
  for (const s of spans) {
    if (s.parentSpanId !== undefined)
      expect(ids.has(s.parentSpanId), `parent of ${s.name} (${s.scope}) exported`).toBe(true);
  }
}

/** Walks from a span up to the root, returning the names on the way. */
function ancestry(spans: ExportedSpan[], span: ExportedSpan): string[] {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const names: string[] = [];
  let current: ExportedSpan | undefined = span;
  while (current) {
    names.push(current.name);
    current = current.parentSpanId ? byId.get(current.parentSpanId) : undefined;
  }
  return names;
}

describe("one trace from Okta's request to the 8x8 call", () => {
  it("in one process (in-process Connect transport)", async () => {
    const gw = await start({ ...fakeCarrierEnv(gateways.fake), OTEL_SERVICE_NAME: "gateway-all" });
    const { carrierSpan, rpcServer, spans } = await traceOfOneHookCall(gw.httpPort, "evtTraceInProc1", "SMS");
    expectNoOrphans(spans);
    expect(ancestry(spans, carrierSpan)).toEqual(
      expect.arrayContaining(["otp.v1.OtpService/SendOtp", "POST /okta/telephony"]),
    );
    expect(ancestry(spans, carrierSpan).at(-1)).toBe("POST /okta/telephony");
    expect(rpcServer.attributes).toMatchObject({
      "rpc.system.name": "connectrpc",
      "rpc.method": "otp.v1.OtpService/SendOtp",
      "rpc.status_code": "OK",
      "otp.channel": "sms",
      "otp.phone.masked": "+44******3456",
      "otp.provider": "8x8",
      "otp.provider.message_id": expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    const hookSpan = spans.find((s) => s.attributes["okta.event_id"] === "evtTraceInProc1")!;
    expect(hookSpan.parentSpanId).toBeUndefined();
    expect(hookSpan.kind).toBe(2); // SERVER
    expect(hookSpan.attributes).toMatchObject({
      "okta.request_type": "com.okta.user.telephony.mfa-verification",
      "otp.channel": "sms",
      "http.request.method": "POST",
      "http.route": "/okta/telephony",
      "url.path": "/okta/telephony",
      "http.response.status_code": 200,
    });
    expect(carrierSpan.kind).toBe(3); // CLIENT
    expect(carrierSpan.attributes).toMatchObject({
      "http.request.method": "POST",
      "server.address": "127.0.0.1",
      "http.response.status_code": 200,
      "otp.provider": "8x8",
    });
    // Our trace context stays inside: nothing about it is sent to the carrier.
    expect(gateways.fake.requests.at(-1)?.headers.traceparent).toBeUndefined();
    // The success line is written after the answer, says which trace it belongs to, and
    // carries the Okta event's fields: in one process a send writes one line, not two.
    const lines = gw.output.flatMap((l) => (l.startsWith("{") ? [JSON.parse(l) as Record<string, unknown>] : []));
    const lineOf = (msg: string) => lines.find((l) => l.msg === msg && l.trace_id === hookSpan.traceId);
    expect(lineOf("carrier accepted the send")).toMatchObject({
      to: "+44******3456",
      channel: "sms",
      caller: "okta-hook",
      eventId: "evtTraceInProc1",
      requestType: "com.okta.user.telephony.mfa-verification",
    });
    expect(lines.filter((l) => l.eventId === "evtTraceInProc1" && l.level === 30)).toHaveLength(1);
  });

  it("continues a caller's trace (W3C traceparent) on the hook", async () => {
    const gw = gateways.processes[0]!;
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const res = await fetch(`http://127.0.0.1:${gw.httpPort}/okta/telephony`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: oktaSecret,
        traceparent: `00-${traceId}-00f067aa0ba902b7-01`,
      },
      body: JSON.stringify(oktaHookBody({ eventId: "evtTraceParent1", otpCode, phoneNumber: phone })),
    });
    expect(res.status).toBe(200);
    const hook = await waitFor(
      () => gateways.sink.spans.find((s) => s.attributes["okta.event_id"] === "evtTraceParent1"),
      "hook span",
    );
    expect(hook.traceId).toBe(traceId);
    expect(hook.parentSpanId).toBe("00f067aa0ba902b7");
    await waitFor(
      () =>
        gateways.sink.spans.find(
          (s) => s.traceId === traceId && s.kind === 3 && s.attributes["server.address"] === "127.0.0.1",
        ),
      "the 8x8 span in the caller's trace",
    );
  });

  it.each([
    ["grpc", (s: GatewayProcess) => `http://127.0.0.1:${s.grpcPort}`],
    ["connect", (s: GatewayProcess) => `http://127.0.0.1:${s.httpPort}`],
  ] as const)("across two processes (façade → OtpService over %s)", async (protocol, url) => {
    const service = await start({
      ...fakeCarrierEnv(gateways.fake),
      GATEWAY_ROLE: "service",
      OTEL_SERVICE_NAME: `service-${protocol}`,
    });
    const facade = await start({
      OTP_SERVICE_URL: url(service),
      OTP_SERVICE_PROTOCOL: protocol,
      OTP_SERVICE_API_KEY: facadeApiKey,
      OTEL_SERVICE_NAME: `facade-${protocol}`,
    });
    const eventId = `evtTraceRemote${protocol}`;
    const { carrierSpan, rpcServer, spans } = await traceOfOneHookCall(facade.httpPort, eventId, "Voice");
    expectNoOrphans(spans);
    expect(carrierSpan.service).toBe(`service-${protocol}`);
    expect(rpcServer.service).toBe(`service-${protocol}`);
    expect(rpcServer.attributes["rpc.system.name"]).toBe(protocol === "grpc" ? "grpc" : "connectrpc");
    // The call's language and voice (Okta's locale EN-US; the fake lists en-US-Jenny).
    expect(rpcServer.attributes).toMatchObject({ "otp.locale": "en", "otp.voice_profile": "en-US-Jenny" });
    const rpcClient = spans.find((s) => s.kind === 3 && s.attributes["rpc.method"] === "otp.v1.OtpService/SendOtp");
    expect(rpcClient?.service).toBe(`facade-${protocol}`);
    expect(ancestry(spans, carrierSpan)).toContain(rpcClient!.name);
    expect(ancestry(spans, carrierSpan).at(-1)).toBe("POST /okta/telephony");
    // Each process writes its own success line; a network caller's fields do not reach the service's.
    const linesOf = (p: GatewayProcess) =>
      p.output.flatMap((l) => (l.startsWith("{") ? [JSON.parse(l) as Record<string, unknown>] : []));
    await waitFor(
      () => linesOf(facade).find((l) => l.msg === "okta hook: code accepted by carrier" && l.eventId === eventId),
      "the façade's line",
    );
    const serviceLine = await waitFor(
      () => linesOf(service).find((l) => l.msg === "carrier accepted the send" && l.trace_id === carrierSpan.traceId),
      "the service's line",
    );
    expect(serviceLine.eventId).toBeUndefined();
  });

  it("puts the 8x8 error code on the span when 8x8 refuses", async () => {
    const gw = gateways.processes[0]!;
    gateways.fake.behave({ kind: "sms-error", status: 400, code: 1002, message: "Invalid MSISDN format" });
    try {
      const res = await postHook(
        `http://127.0.0.1:${gw.httpPort}`,
        oktaHookBody({ eventId: "evtTraceFail1", otpCode, phoneNumber: phone }),
      );
      expect(res.json.commands[0].value[0].status).toBe("FAILED");
      const hook = await waitFor(
        () => gateways.sink.spans.find((s) => s.attributes["okta.event_id"] === "evtTraceFail1"),
        "hook span",
      );
      const server = await waitFor(
        () =>
          gateways.sink.spans.find(
            (s) =>
              s.traceId === hook.traceId && s.kind === 2 && s.attributes["rpc.method"] === "otp.v1.OtpService/SendOtp",
          ),
        "rpc server span",
      );
      expect(server.attributes).toMatchObject({
        "otp.provider.error_code": "1002",
        "rpc.status_code": "INVALID_ARGUMENT",
      });
      const carrier = await waitFor(
        () =>
          gateways.sink.spans.find(
            (s) => s.traceId === hook.traceId && s.kind === 3 && s.attributes["server.address"] === "127.0.0.1",
          ),
        "8x8 client span",
      );
      expect(carrier.attributes).toMatchObject({ "http.response.status_code": 400, "error.type": "400" });
      expect((JSON.parse(carrier.raw) as { span: { status?: { code?: number } } }).span.status?.code).toBe(2); // ERROR
    } finally {
      gateways.fake.behave({ kind: "accept" });
    }
  });

  it("links the receipt's span to the span of the send it is for", async () => {
    const gw = await start({ ...fakeCarrierEnv(gateways.fake), ...receiptEnv, OTEL_SERVICE_NAME: "gateway-receipts" });
    const { rpcServer } = await traceOfOneHookCall(gw.httpPort, "evtTraceReceipt1", "SMS");
    const umid = String(rpcServer.attributes["otp.provider.message_id"]);
    const body = dlrBody(umid, { state: "delivered" }, { destination: phone });
    const res = await gateways.fake.postWebhook(
      `http://127.0.0.1:${gw.httpPort}/webhooks/8x8/sms`,
      body,
      webhookSecret,
    );
    expect(res.status).toBe(200);
    const receipt = await waitFor(
      () =>
        gateways.sink.spans.find(
          (s) => s.name === "otp.delivery.receipt" && s.attributes["otp.provider.message_id"] === umid,
        ),
      "the receipt span",
    );
    expect(receipt.links).toEqual([{ traceId: rpcServer.traceId, spanId: rpcServer.spanId }]);
    expect(receipt.traceId).not.toBe(rpcServer.traceId);
    expect(receipt.attributes).toMatchObject({
      "otp.status": "delivered",
      "otp.receipt.outcome": "applied",
      "otp.phone.masked": "+44******3456",
      "otp.delivery_id": rpcServer.attributes["otp.delivery_id"],
    });
    // Under the webhook's own SERVER span.
    const webhook = gateways.sink.spans.find((s) => s.spanId === receipt.parentSpanId);
    expect(webhook?.name).toBe("POST /webhooks/8x8/sms");
  });

  it("leaks neither the OTP nor the full phone number into any span or log line", async () => {
    expect(gateways.sink.spans.length).toBeGreaterThan(10);
    const spanText = gateways.sink.spans.map((s) => s.raw).join("\n");
    const logText = gateways.processes.flatMap((p) => p.output).join("\n");
    expect(logText).toContain("trace_id");
    expect(logText).toContain("+44******3456");
    for (const text of [spanText, logText]) {
      expect(text).not.toContain(otpCode);
      expect(text).not.toContain(phoneDigits);
      expect(text).not.toContain(nationalDigits);
    }
  });
});

describe("tracingEnabled", () => {
  it("is false with only the API's no-op provider and true once a provider is registered", () => {
    expect(tracingEnabled()).toBe(false);
    const provider = { getTracer: () => trace.getTracer("unused") };
    try {
      expect(trace.setGlobalTracerProvider(provider)).toBe(true);
      expect(tracingEnabled()).toBe(true);
    } finally {
      trace.disable();
    }
    expect(tracingEnabled()).toBe(false);
  });
});
