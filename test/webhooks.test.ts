import { create } from "@bufbuild/protobuf";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { Channel, DeliveryStatus, SendOtpRequestSchema } from "../gen/otp/v1/otp_pb.js";
import { rpcClient, type TestGateway, useFakeCarrier } from "./support/gateway.js";
import { oktaHookBody, postHook } from "./support/okta.js";
import { dlrBody, receiptEnv, sreKey, vssBody, webhookSecret } from "./support/receipts.js";

// What 8x8's webhooks answer to whoever posts, and what an SRE sees of it.

const carrier = useFakeCarrier();
let gw: TestGateway;
beforeAll(async () => {
  gw = await carrier.gateway(receiptEnv);
});

const raw = (path: string, init: { body?: string; headers?: Record<string, string> }) =>
  fetch(`${gw.httpUrl}${path}`, {
    method: "POST",
    body: init.body,
    headers: { "content-type": "application/json", authorization: webhookSecret, ...init.headers },
  });

async function sent(phoneNumber = "+447400120123") {
  return rpcClient(gw).sendOtp(create(SendOtpRequestSchema, { channel: Channel.SMS, phoneNumber, code: "482913" }));
}
const statusOf = async (deliveryId: string) =>
  (await rpcClient(gw).getDelivery({ lookup: { case: "deliveryId", value: deliveryId } })).delivery!.status;

describe("who may post receipts", () => {
  it.each([
    ["no Authorization", undefined],
    ["a wrong secret", "Bearer wh-0000000000000000000000"],
    ["the secret with one character more", `${webhookSecret}x`],
  ])("%s: 401, and nothing is taken", async (_name, authorization) => {
    const send = await sent();
    const res = await carrier.fake.postWebhook(
      `${gw.httpUrl}/webhooks/8x8/sms`,
      dlrBody(send.providerMessageId, { state: "delivered" }),
      authorization,
    );
    expect(res.status).toBe(401);
    expect(await statusOf(send.deliveryId)).toBe(DeliveryStatus.ACCEPTED);
  });

  it("takes the secret as the whole value, after Bearer, or as a Basic password (a callback URL's user info)", async () => {
    const bare = webhookSecret.replace(/^Bearer /, "");
    for (const authorization of [
      webhookSecret,
      `bearer ${webhookSecret}`,
      `Basic ${Buffer.from(`8x8:${webhookSecret}`).toString("base64")}`,
    ]) {
      const send = await sent();
      const body = dlrBody(send.providerMessageId, { state: "delivered" });
      const res = await carrier.fake.postWebhook(`${gw.httpUrl}/webhooks/8x8/sms`, body, authorization);
      expect(res.status, authorization).toBe(200);
    }
    expect(bare).not.toBe(webhookSecret);
  });

  it("refuses addresses outside EIGHTBYEIGHT_WEBHOOK_ALLOWED_IPS (403), and reads X-Forwarded-For only with TRUST_PROXY", async () => {
    const strict = await carrier.gateway({
      ...receiptEnv,
      EIGHTBYEIGHT_WEBHOOK_ALLOWED_IPS: "34.142.20.188,10.0.0.0/8",
    });
    const body = JSON.stringify(dlrBody("umid-x", { state: "delivered" }));
    const headers = { "content-type": "application/json", authorization: webhookSecret, "x-forwarded-for": "10.1.2.3" };
    const direct = await fetch(`${strict.httpUrl}/webhooks/8x8/sms`, { method: "POST", body, headers });
    expect(direct.status).toBe(403);
    const proxied = await carrier.gateway({
      ...receiptEnv,
      EIGHTBYEIGHT_WEBHOOK_ALLOWED_IPS: "10.0.0.0/8",
      TRUST_PROXY: "127.0.0.1",
    });
    const viaProxy = await fetch(`${proxied.httpUrl}/webhooks/8x8/sms`, { method: "POST", body, headers });
    expect(viaProxy.status).toBe(200);
    const outsider = await fetch(`${proxied.httpUrl}/webhooks/8x8/sms`, {
      method: "POST",
      body,
      headers: { ...headers, "x-forwarded-for": "203.0.113.9" },
    });
    expect(outsider.status).toBe(403);
  });

  it("without EIGHTBYEIGHT_WEBHOOK_SECRET, a live gateway answers 404 and its start-up log says why", async () => {
    const bare = await carrier.gateway({});
    const res = await fetch(`${bare.httpUrl}/webhooks/8x8/sms`, { method: "POST", body: "{}" });
    expect(res.status).toBe(404);
    expect(bare.logs.join("\n")).toContain("EIGHTBYEIGHT_WEBHOOK_SECRET is not set: /webhooks/8x8/* answer 404");
    const ready = (await (await fetch(`${bare.httpUrl}/readyz`)).json()) as { features: Record<string, unknown> };
    expect(ready.features).toMatchObject({
      receipts: "off (no EIGHTBYEIGHT_WEBHOOK_SECRET)",
      verify: false,
      fraudRules: "enforce",
    });
    const on = (await (await fetch(`${gw.httpUrl}/readyz`)).json()) as { features: Record<string, unknown> };
    expect(on.features).toMatchObject({ receipts: "on", oktaEventHook: false });
  });
});

describe("what every body is answered", () => {
  it.each([
    ["bad JSON", "{not json", 400],
    ["JSON that is no receipt", JSON.stringify({ hello: "world" }), 400],
    [
      "a receipt without a state",
      JSON.stringify({ eventType: "outbound_message_status_changed", payload: { umid: "u" } }),
      400,
    ],
    ["an empty body", "", 400],
    [
      "an inbound SMS (acknowledged, not used)",
      JSON.stringify({ namespace: "SMS", eventType: "inbound_message_received", payload: { umid: "u" } }),
      200,
    ],
    ["a receipt for an unknown umid", JSON.stringify(dlrBody("no-such-umid", { state: "delivered" })), 200],
  ])("%s → %i", async (_name, body, status) => {
    expect((await raw("/webhooks/8x8/sms", { body })).status).toBe(status);
  });

  it("a body over 64 KiB → 413; any content type is read as JSON", async () => {
    const big = JSON.stringify({ ...dlrBody("u", { state: "delivered" }), pad: "x".repeat(70_000) });
    expect((await raw("/webhooks/8x8/sms", { body: big })).status).toBe(413);
    const send = await sent();
    const plain = await raw("/webhooks/8x8/sms", {
      body: JSON.stringify(dlrBody(send.providerMessageId, { state: "delivered" })),
      headers: { "content-type": "text/plain" },
    });
    expect(plain.status).toBe(200);
    expect(await statusOf(send.deliveryId)).toBe(DeliveryStatus.DELIVERED);
  });

  it("voice: a call-status event is acknowledged and not used; ERROR carries 8x8's code", async () => {
    await postHook(gw.httpUrl, oktaHookBody({ deliveryChannel: "Voice Call" }));
    const sessionId = (carrier.fake.answers.at(-1) as { sessionId: string }).sessionId;
    const vcs = { namespace: "VOICE", eventType: "CALL_STATUS", payload: { sessionId, callStatus: "CALL_CONNECTED" } };
    expect((await raw("/webhooks/8x8/voice", { body: JSON.stringify(vcs) })).status).toBe(200);
    const failed = vssBody(sessionId, "ERROR", { errorCode: -2004, errorMsg: "No coverage for requested area" });
    expect((await raw("/webhooks/8x8/voice", { body: JSON.stringify(failed) })).status).toBe(200);
    const lookup = { case: "providerMessageId" as const, value: sessionId };
    const { delivery } = await rpcClient(gw, sreKey).getDelivery({ lookup });
    expect(delivery).toMatchObject({ status: DeliveryStatus.FAILED, errorCode: "-2004", providerState: "ERROR" });
  });
});

describe("fuzzed over HTTP", () => {
  it("1 000 bodies of any shape: never a 5xx, and a known send is not moved", async () => {
    const send = await sent();
    const texts = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.jsonValue({ maxDepth: 5 }).map((v) => JSON.stringify(v)),
      fc
        .record({ state: fc.string(), errorCode: fc.jsonValue(), timestamp: fc.jsonValue() })
        .map((status) => JSON.stringify({ ...dlrBody(`umid-${status.state}`, { state: "x" }), status })),
    );
    await fc.assert(
      fc.asyncProperty(texts, fc.constantFrom("sms", "voice"), async (body, route) => {
        const res = await raw(`/webhooks/8x8/${route}`, { body });
        expect(res.status).toBeLessThan(500);
        await res.arrayBuffer();
      }),
      { numRuns: 1_000 },
    );
    expect(await statusOf(send.deliveryId)).toBe(DeliveryStatus.ACCEPTED);
  }, 60_000);
});

describe("what an SRE sees", () => {
  it("metrics per receipt, webhook outcome and time to delivery; logs without the secret, code or number", async () => {
    const send = await sent("+447400120777");
    const res = await raw("/webhooks/8x8/sms", {
      body: JSON.stringify(dlrBody(send.providerMessageId, { state: "delivered" }, { destination: "+447400120777" })),
    });
    expect(res.status).toBe(200);
    const metrics = await (await fetch(`${gw.httpUrl}/metrics`)).text();
    expect(metrics).toMatch(/otp_delivery_receipts_total\{channel="sms",state="delivered",country="GB"\} [1-9]/);
    expect(metrics).toMatch(/otp_webhook_requests_total\{route="sms",outcome="applied"\} [1-9]/);
    expect(metrics).toMatch(/otp_webhook_requests_total\{route="sms",outcome="unauthorized"\} [1-9]/);
    expect(metrics).toMatch(/otp_time_to_delivery_seconds_count\{channel="sms"\} [1-9]/);
    const line = gw.logs.find((l) => l.includes(send.providerMessageId) && l.includes("delivery receipt"));
    expect(JSON.parse(line!)).toMatchObject({ to: "+44******0777", state: "delivered", deliveryId: send.deliveryId });
    const all = gw.logs.join("\n");
    expect(all).not.toContain("wh-9Tq2Lm7Xc4Rv8Kp3Zn6Yb");
    expect(all).not.toContain("447400120777");
    expect(all).not.toContain("482913");
  });
});
