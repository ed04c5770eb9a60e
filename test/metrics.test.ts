import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Channel } from "../gen/otp/v1/otp_pb.js";
import { rpcClient, startTestGateway, type TestGateway, useFakeCarrier } from "./support/gateway.js";
import { oktaHookBody, postHook } from "./support/okta.js";

describe("GET /metrics with METRICS_TOKEN", () => {
  const token = "metrics-Kq93XvLp2mW7tR4y";
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ METRICS_TOKEN: token });
  });
  afterAll(async () => gw?.close());

  it("refuses a scrape without the token, or with another", async () => {
    const attempts: Array<Record<string, string>> = [{}, { authorization: "Bearer nope" }, { authorization: token }];
    for (const headers of attempts) {
      const res = await fetch(`${gw.httpUrl}/metrics`, { headers });
      expect(res.status).toBe(401);
      expect(await res.text()).not.toContain("otp_send_outcomes_total");
    }
  });

  it("serves the exposition with it, rendering at most once a second however often it is asked", async () => {
    const scrape = () => fetch(`${gw.httpUrl}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    const first = await scrape();
    expect(first.status).toBe(200);
    expect(first.headers.get("content-type")).toMatch(/^text\/plain/);
    const texts = await Promise.all(Array.from({ length: 20 }, async () => (await scrape()).text()));
    // process_cpu_user_seconds_total changes between renderings; within the second it cannot.
    const cpu = (t: string) => /process_cpu_user_seconds_total (\S+)/.exec(t)?.[1];
    expect(new Set(texts.map(cpu)).size).toBe(1);
  });
});

describe("RED metrics after a run of sends", () => {
  const carrier = useFakeCarrier();
  it("move for successes, each failure and refusals, with no label holding a number", async () => {
    const gw = await carrier.gateway({ CARRIER_MAX_RETRIES: "1", RATE_LIMIT_PER_PHONE: "2/10m" });
    const hook = (o: Parameters<typeof oktaHookBody>[0] = {}) => postHook(gw.httpUrl, oktaHookBody(o));
    // +447911… numbers are Guernsey's (GG) in the numbering plan.
    await hook({ phoneNumber: "+447911123456" });
    carrier.fake.behaveNext({ kind: "raw", status: 503, contentType: "text/html", body: "<html>503</html>" });
    await hook({ phoneNumber: "+447911123457" });
    carrier.fake.behaveNext({ kind: "sms-error", status: 400, code: 1002, message: "Invalid MSISDN" });
    await hook({ phoneNumber: "+447911123458" });
    for (let i = 0; i < 3; i++) await hook({ phoneNumber: "+447911123459" });
    await rpcClient(gw).sendOtp({ channel: Channel.SMS, phoneNumber: "+447911123460", code: "482913" });

    await new Promise((r) => setTimeout(r, 1_100)); // past the one-second rendering cache
    const text = await (await fetch(`${gw.httpUrl}/metrics`)).text();
    const value = (series: string) =>
      Number(new RegExp(`^${escapeRegExp(series)} (\\S+)$`, "m").exec(text)?.[1] ?? Number.NaN);
    expect(value('otp_hook_request_duration_seconds_count{channel="sms",outcome="successful"}')).toBe(4);
    expect(value('otp_hook_request_duration_seconds_count{channel="sms",outcome="failed"}')).toBe(1);
    expect(value('otp_hook_request_duration_seconds_count{channel="sms",outcome="refused"}')).toBe(1);
    expect(value('otp_hook_request_duration_seconds_bucket{le="3",channel="sms",outcome="successful"}')).toBe(4);
    expect(value('otp_carrier_request_duration_seconds_count{channel="sms",outcome="unavailable"}')).toBe(1);
    expect(value('otp_carrier_request_duration_seconds_count{channel="sms",outcome="invalid_destination"}')).toBe(1);
    expect(value('otp_carrier_request_duration_seconds_count{channel="sms",outcome="accepted"}')).toBe(5);
    expect(value('otp_carrier_retries_total{channel="sms"}')).toBe(1);
    expect(value('otp_circuit_state{channel="sms"}')).toBe(0);
    expect(value("otp_inflight_sends")).toBe(0);
    expect(value('otp_rpc_server_duration_seconds_count{method="SendOtp",code="ok",caller="test-client"}')).toBe(1);
    expect(value('otp_rpc_server_duration_seconds_count{method="SendOtp",code="ok",caller="okta-hook"}')).toBe(4);
    expect(value('otp_send_outcomes_total{channel="sms",outcome="rate_limited_phone",country="GG"}')).toBe(1);
    expect(text).toMatch(/^otp_build_info\{version="\d+\.\d+\.\d+",node="v20\.\d+\.\d+"\} 1$/m);
    for (const labels of text.matchAll(/^otp_\w+\{([^}]*)\}/gm)) {
      expect(labels[1], labels[0]).not.toMatch(/="[^"]*\d{4,}[^"]*"/);
    }
  });
});

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
