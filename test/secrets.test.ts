import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Channel, OtpService } from "../gen/otp/v1/otp_pb.js";
import { createBearerInterceptor } from "../src/otp/client/bearer.js";
import { type Fake8x8, type FakeBehaviour, startFake8x8 } from "./support/fake-8x8.js";
import { fakeCarrierEnv, oktaSecret, rpcApiKey } from "./support/gateway.js";
import { oktaHookBody, postHook } from "./support/okta.js";
import { type OtlpSink, startOtlpSink } from "./support/otlp-sink.js";
import { type GatewayProcess, spawnGateway } from "./support/process.js";

// One gateway process, run the way production runs it (telemetry on, most verbose logging),
// through every path the other tests cover: successes, each 8x8 failure, retries, the breaker,
// overload, replays, bad credentials, bad input. Everything it emits (log lines, exported
// spans, HTTP answers, RPC errors and their details, the /metrics page with its labels) is
// collected and searched for the OTP and the phone number.

const otpCode = "739164";
const phone = "+447911123456";
const forbidden = [otpCode, "447911123456", "7911123456", "07911 123456", "7911 123456"];

let fake: Fake8x8;
let sink: OtlpSink;
let gw: GatewayProcess;
const seen: string[] = [];

beforeAll(async () => {
  fake = await startFake8x8();
  sink = await startOtlpSink();
  gw = await spawnGateway({
    ...fakeCarrierEnv(fake),
    OKTA_AUTH_SECRET: oktaSecret,
    LOG_LEVEL: "trace",
    OTEL_SDK_DISABLED: "false",
    OTEL_TRACES_EXPORTER: "otlp",
    OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${sink.url}/v1/traces`,
    OTEL_BSP_SCHEDULE_DELAY: "50",
    CIRCUIT_FAILURE_THRESHOLD: "3",
    CIRCUIT_COOLDOWN_MS: "100",
    MAX_CONCURRENT_SENDS: "3",
    OKTA_HOOK_BUDGET_MS: "1200",
  });
});
afterAll(async () => {
  await gw?.stop();
  await fake?.close();
  await sink?.close();
});

async function hook(change: Parameters<typeof oktaHookBody>[0] = {}, headers?: Record<string, string>) {
  const res = await postHook(
    `http://127.0.0.1:${gw.httpPort}`,
    oktaHookBody({ otpCode, phoneNumber: phone, ...change }),
    headers,
  );
  seen.push(`${res.status} ${JSON.stringify(res.json)}`);
  return res;
}

async function rpc(change: object = {}, protocol: "connect" | "grpc" = "connect") {
  const interceptors = [createBearerInterceptor(rpcApiKey)];
  const transport =
    protocol === "grpc"
      ? createGrpcTransport({ baseUrl: `http://127.0.0.1:${gw.grpcPort}`, interceptors })
      : createConnectTransport({ baseUrl: `http://127.0.0.1:${gw.httpPort}`, httpVersion: "1.1", interceptors });
  try {
    const res = await createClient(OtpService, transport).sendOtp(
      { channel: Channel.SMS, phoneNumber: phone, code: otpCode, ...change },
      { timeoutMs: 1000 },
    );
    seen.push(JSON.stringify(res));
  } catch (err) {
    const ce = ConnectError.from(err);
    seen.push(`${Code[ce.code]} ${ce.message} ${JSON.stringify(ce.details)} ${JSON.stringify([...ce.metadata])}`);
  }
}

describe("no OTP and no full phone number anywhere the gateway writes", () => {
  it("across successes, every failure mode, retries, the breaker, overload, replays and bad input", async () => {
    await hook();
    await hook({ deliveryChannel: "Voice" });
    await hook({ eventId: "evtSecretsReplay" });
    await hook({ eventId: "evtSecretsReplay" });
    await hook({ eventId: "evtSecretsReplay", otpCode: "120934" });
    await rpc();
    await rpc({ channel: Channel.VOICE }, "grpc");
    await rpc({ idempotencyKey: "secrets-1" });
    await rpc({ idempotencyKey: "secrets-1" });

    const failures: FakeBehaviour[] = [
      { kind: "sms-rejected", description: `Invalid MSISDN format ${phone}` },
      {
        kind: "sms-error",
        status: 400,
        code: 1002,
        message: `Invalid MSISDN ${phone} for text Your code is ${otpCode}`,
      },
      { kind: "sms-error", status: 401, code: 1200, message: "Request was not authenticated properly" },
      { kind: "sms-error", status: 429, code: 429, message: "Quota exceeded", headers: { "retry-after": "30" } },
      { kind: "raw", status: 503, contentType: "text/html", body: `<html>503 ${phone}</html>` },
      { kind: "raw", status: 200, contentType: "application/json", body: `{"destination":"${phone}"` },
      { kind: "reset" },
      { kind: "voice-error", status: 400, statusCode: -1017, statusMessage: `Invalid destination ${phone}` },
      { kind: "hang" },
    ];
    for (const f of failures) {
      fake.behave(f);
      await hook();
      await hook({ deliveryChannel: "voice" });
      await rpc();
    }
    // Retries after a reset, then the breaker opening and failing fast.
    fake.behave({ kind: "accept" });
    fake.behaveNext({ kind: "reset" });
    await hook();
    fake.behave({ kind: "sms-error", status: 500, code: 2000, message: `Internal error for ${phone}` });
    for (let i = 0; i < 4; i++) await hook();
    // Close the breaker again with a good trial, then overload the gateway.
    fake.behave({ kind: "accept" });
    await new Promise((r) => setTimeout(r, 150));
    await hook();
    fake.behave({ kind: "delay", ms: 300 });
    await Promise.all([1, 2, 3, 4, 5].map(() => hook()));
    fake.behave({ kind: "accept" });

    // Bad credentials and bad input that carries the secrets.
    await hook({}, { authorization: "wrong-secret-value-123" });
    await hook({ phoneNumber: "07911 123456" });
    await hook({ phoneNumber: "+448712345678" });
    await hook({ otpCode: `${otpCode}${otpCode}` });
    await rpc({ phoneNumber: "07911 123456" });
    await rpc({ code: `${otpCode} ` });
    await rpc({ text: `no code here ${phone}` });
    await rpc({ idempotencyKey: `key ${phone}` });

    const metrics = await (await fetch(`http://127.0.0.1:${gw.httpPort}/metrics`)).text();
    expect(metrics).toContain('otp_send_outcomes_total{channel="sms",outcome="accepted",country="GG"}');
    seen.push(metrics);
    // Let the batch span processor flush, then stop the process so its last lines are written.
    await new Promise((r) => setTimeout(r, 500));
    await gw.stop();

    const logs = gw.output.join("\n");
    const spans = sink.spans.map((s) => s.raw).join("\n");
    const answers = seen.join("\n");
    // The collection must be real: every channel saw traffic and the carrier's texts arrived.
    expect(sink.spans.length).toBeGreaterThan(50);
    expect(logs).toContain("+44******3456");
    expect(logs).toContain("carrier sms circuit opened");
    expect(logs).toContain("overloaded: send refused");
    expect(logs).toContain("Invalid MSISDN");
    expect(answers).toContain("reason=carrier_unavailable");
    expect(fake.requests.some((r) => r.rawBody.includes(otpCode))).toBe(true);
    for (const [where, text] of [
      ["logs", logs],
      ["spans", spans],
      ["answers and metrics", answers],
    ] as const) {
      for (const secret of forbidden) {
        expect(text.includes(secret), `${where} contain ${secret}`).toBe(false);
      }
    }
  });
});
