import { Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { Channel, RateLimitDetailSchema } from "../gen/otp/v1/otp_pb.js";
import { rpcClient, type TestGateway, useFakeCarrier } from "./support/gateway.js";

// The anti-pumping rules against a simulated pumping run, a normal one, and the safe list.

const carrier = useFakeCarrier();
const pumping = { RATE_LIMIT_PER_PREFIX: "30/10m", FRAUD_CONVERSION_SAMPLE: "20" };

/** Sends to `count` numbers of one range (the same number but for its last 3 digits). */
async function sendRange(gw: TestGateway, range: string, count: number, extra: { clientIp?: string } = {}) {
  const client = rpcClient(gw);
  const results: Array<{ deliveryId?: string; refusedBy?: string }> = [];
  for (let i = 0; i < count; i++) {
    const phoneNumber = `${range}${String(i).padStart(3, "0")}`;
    try {
      const sent = await client.sendOtp({ channel: Channel.SMS, phoneNumber, code: "482913", ...extra });
      results.push({ deliveryId: sent.deliveryId });
    } catch (err) {
      const e = ConnectError.from(err);
      expect(e.code).toBe(Code.ResourceExhausted);
      results.push({ refusedBy: e.findDetails(RateLimitDetailSchema)[0]?.limit });
    }
  }
  return results;
}
const reportAll = async (gw: TestGateway, ids: Array<string | undefined>, verified: boolean) => {
  for (const id of ids) {
    if (id) await rpcClient(gw).reportOutcome({ lookup: { case: "deliveryId", value: id }, verified });
  }
};
const metricsOf = async (gw: TestGateway) => (await fetch(`${gw.httpUrl}/metrics`)).text();

describe("a pumping run (200 sends to one range, none converted)", () => {
  it("trips the prefix rule, then the conversion guard for the whole country", async () => {
    const gw = await carrier.gateway(pumping);
    const results = await sendRange(gw, "+447400120", 200);
    expect(results.filter((r) => r.deliveryId)).toHaveLength(30);
    expect(results.filter((r) => r.refusedBy === "prefix")).toHaveLength(170);
    expect(carrier.fake.requests).toHaveLength(30);
    await reportAll(
      gw,
      results.map((r) => r.deliveryId),
      false,
    );
    await new Promise((r) => setTimeout(r, 50));
    // Another range of the same country: the guard, not the prefix rule, refuses it now.
    const after = await sendRange(gw, "+447400555", 1);
    expect(after[0]?.refusedBy).toBe("conversion_guard");
    const metrics = await metricsOf(gw);
    expect(metrics).toContain('otp_fraud_decisions_total{rule="prefix",mode="enforce",decision="refused"} 170');
    expect(metrics).toContain('otp_fraud_decisions_total{rule="conversion_guard",mode="enforce",decision="refused"} 1');
    expect(metrics).toMatch(/otp_conversions_total\{channel="sms",country="GB",result="not_converted"\} 30/);
    expect(gw.logs.filter((l) => l.includes("conversion guard: too few codes"))).toHaveLength(1);
    // Other countries go on.
    expect((await sendRange(gw, "+33612345", 1))[0]?.deliveryId).toBeDefined();
  });

  it("in monitor mode sends everything and counts what would have been refused", async () => {
    const gw = await carrier.gateway({ ...pumping, FRAUD_RULES_MODE: "monitor" });
    const results = await sendRange(gw, "+447400120", 200);
    expect(results.every((r) => r.deliveryId)).toBe(true);
    expect(carrier.fake.requests).toHaveLength(200);
    await reportAll(
      gw,
      results.slice(0, 20).map((r) => r.deliveryId),
      false,
    );
    await new Promise((r) => setTimeout(r, 50));
    expect((await sendRange(gw, "+447400555", 1))[0]?.deliveryId).toBeDefined();
    const metrics = await metricsOf(gw);
    expect(metrics).toContain('otp_fraud_decisions_total{rule="prefix",mode="monitor",decision="would_refuse"} 170');
    expect(metrics).toContain(
      'otp_fraud_decisions_total{rule="conversion_guard",mode="monitor",decision="would_refuse"} 1',
    );
  });
});

describe("a normal run", () => {
  it("most codes used, across the company's ranges: nothing trips", async () => {
    const gw = await carrier.gateway(pumping);
    const ids: Array<string | undefined> = [];
    for (let block = 0; block < 6; block++) {
      const results = await sendRange(gw, `+4474001${20 + block}`, 10);
      expect(results.every((r) => r.deliveryId)).toBe(true);
      ids.push(...results.map((r) => r.deliveryId));
    }
    await reportAll(gw, ids.slice(0, 50), true);
    await reportAll(gw, ids.slice(50), false);
    expect((await sendRange(gw, "+447400130", 5)).every((r) => r.deliveryId)).toBe(true);
    expect(await metricsOf(gw)).not.toContain("otp_fraud_decisions_total{");
  });
});

describe("the safe list and the per-IP rule", () => {
  it("a safe range skips every limit and rule", async () => {
    const gw = await carrier.gateway({ ...pumping, SAFE_NUMBERS: "+44740012*,+15555550100" });
    const results = await sendRange(gw, "+447400120", 60);
    expect(results.every((r) => r.deliveryId)).toBe(true);
    expect(await metricsOf(gw)).toContain(
      'otp_fraud_decisions_total{rule="safe_list",mode="enforce",decision="bypassed"} 60',
    );
  });

  it("RATE_LIMIT_PER_IP refuses an address over its limit, naming the rule; 8x8 gets clientIp", async () => {
    const gw = await carrier.gateway({ RATE_LIMIT_PER_IP: "3/1m" });
    const results = await sendRange(gw, "+447400120", 4, { clientIp: "198.51.100.7" });
    expect(results.map((r) => r.refusedBy)).toEqual([undefined, undefined, undefined, "ip"]);
    expect((carrier.fake.requests[0]!.body as { clientIp?: string }).clientIp).toBe("198.51.100.7");
    const other = await sendRange(gw, "+447400121", 1, { clientIp: "198.51.100.8" });
    expect(other[0]?.deliveryId).toBeDefined();
    const bad = await rpcClient(gw)
      .sendOtp({ channel: Channel.SMS, phoneNumber: "+447400120123", code: "482913", clientIp: "not-an-ip" })
      .catch((e: unknown) => ConnectError.from(e));
    expect((bad as ConnectError).code).toBe(Code.InvalidArgument);
  });
});
