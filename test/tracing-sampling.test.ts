import { describe, expect, it } from "vitest";
import { facadeApiKey, fakeCarrierEnv } from "./support/gateway.js";
import { oktaHookBody, postHook } from "./support/okta.js";
import type { ExportedSpan } from "./support/otlp-sink.js";
import { useTracedGateways } from "./support/traced-gateways.js";

// The default sampler in real processes: a burst larger than TRACES_PER_SECOND is answered in
// full, and only whole traces reach the collector, in one process and across two.

const gateways = useTracedGateways();
const start = gateways.start;

/** Posts `n` hook requests at once; every one must be answered SUCCESSFUL. */
async function burst(port: number, prefix: string, n: number): Promise<string[]> {
  const ids = Array.from({ length: n }, (_, i) => `${prefix}${i}`);
  const answers = await Promise.all(
    ids.map((eventId, i) =>
      postHook(
        `http://127.0.0.1:${port}`,
        oktaHookBody({ eventId, otpCode: "480213", phoneNumber: `+4479111234${String(10 + i)}` }),
      ),
    ),
  );
  for (const a of answers) expect(a.json.commands[0].value[0].status).toBe("SUCCESSFUL");
  expect(gateways.fake.requests.filter((r) => r.method === "POST").length).toBeGreaterThanOrEqual(n);
  // Long enough for the batch processors to export what was recorded.
  await new Promise((r) => setTimeout(r, 1_000));
  return ids;
}

const spansOf = (service: string): ExportedSpan[] => gateways.sink.spans.filter((s) => s.service === service);
const isRpcServer = (s: ExportedSpan) => s.kind === 2 && s.attributes["rpc.method"] === "otp.v1.OtpService/SendOtp";
const isCarrier = (s: ExportedSpan) =>
  s.kind === 3 && String(s.attributes["url.full"] ?? "").startsWith(gateways.fake.url);

describe("the default sampler in a running gateway", () => {
  it("records at most TRACES_PER_SECOND traces of a burst, each one whole, and answers every request", async () => {
    gateways.fake.requests.length = 0;
    const gw = await start({
      ...fakeCarrierEnv(gateways.fake),
      OTEL_SERVICE_NAME: "sampled-all",
      TRACES_PER_SECOND: "2",
    });
    const ready = (await (await fetch(`http://127.0.0.1:${gw.httpPort}/readyz`)).json()) as {
      features: Record<string, unknown>;
    };
    expect(ready.features.tracing).toBe("on (at most 2 new traces a second)");
    const ids = await burst(gw.httpPort, "evtSampled", 12);
    const spans = spansOf("sampled-all");
    const hooks = spans.filter((s) => ids.includes(String(s.attributes["okta.event_id"])));
    expect(hooks.length).toBeGreaterThanOrEqual(1);
    expect(hooks.length).toBeLessThanOrEqual(3);
    const traced = new Set(hooks.map((h) => h.traceId));
    for (const traceId of traced) {
      const trace = spans.filter((s) => s.traceId === traceId);
      expect(trace.filter(isRpcServer)).toHaveLength(1);
      expect(trace.filter(isCarrier)).toHaveLength(1);
    }
    // Nothing below an unsampled request was recorded: no RPC or 8x8 span outside those traces.
    const sendSpans = spans.filter((s) => isRpcServer(s) || isCarrier(s));
    expect(sendSpans.every((s) => traced.has(s.traceId))).toBe(true);
    expect(sendSpans).toHaveLength(traced.size * 2);
  });

  it("tells the service behind a façade which requests are not sampled, so it records none of them", async () => {
    gateways.fake.requests.length = 0;
    const service = await start({
      ...fakeCarrierEnv(gateways.fake),
      GATEWAY_ROLE: "service",
      OTEL_SERVICE_NAME: "sampled-svc",
    });
    const facade = await start({
      OTP_SERVICE_URL: `http://127.0.0.1:${service.grpcPort}`,
      OTP_SERVICE_PROTOCOL: "grpc",
      OTP_SERVICE_API_KEY: facadeApiKey,
      OTEL_SERVICE_NAME: "sampled-facade",
      TRACES_PER_SECOND: "1",
    });
    const ids = await burst(facade.httpPort, "evtSampledRemote", 8);
    const hooks = spansOf("sampled-facade").filter((s) => ids.includes(String(s.attributes["okta.event_id"])));
    expect(hooks.length).toBeGreaterThanOrEqual(1);
    expect(hooks.length).toBeLessThanOrEqual(2);
    const traced = new Set(hooks.map((h) => h.traceId));
    const serviceSpans = spansOf("sampled-svc").filter((s) => isRpcServer(s) || isCarrier(s));
    expect(serviceSpans.length).toBe(traced.size * 2);
    expect(serviceSpans.every((s) => traced.has(s.traceId))).toBe(true);
  });
});
