import { readFileSync } from "node:fs";
import { Code, ConnectError } from "@connectrpc/connect";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { Channel, Conversion } from "../gen/otp/v1/otp_pb.js";
import {
  facadeApiKey,
  rpcApiKey,
  rpcClient,
  startTestGateway,
  type TestGateway,
  useFakeCarrier,
} from "./support/gateway.js";
import { oktaHookBody, postHook } from "./support/okta.js";
import { receiptEnv, sreKey } from "./support/receipts.js";

// Whether a code was used: Okta's event hook, ReportOutcome, and the window's end.

const eventSecret = "okta-events-Hq4Zx8Lm2Vc7Rt1Wp";
const carrier = useFakeCarrier();
let gw: TestGateway;
let clock = Date.now();
beforeAll(async () => {
  gw = await carrier.gateway(
    { ...receiptEnv, OKTA_EVENT_HOOK_SECRET: eventSecret, CONVERSION_WINDOW_MS: "600000" },
    { now: () => clock, sweepEveryMs: 50 },
  );
});

const fixture = (name: string, userId: string, published?: string) => {
  const text = readFileSync(new URL(`fixtures/${name}`, import.meta.url), "utf8").replaceAll("{{USER_ID}}", userId);
  const body = JSON.parse(text);
  if (published) for (const e of body.data.events) e.published = published;
  return body;
};
const postEvents = (body: unknown, secret = eventSecret) =>
  fetch(`${gw.httpUrl}/okta/events`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: secret },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
let users = 0;
/** A hook send for a fresh Okta user: the user id and the send's umid. */
async function hookSend(deliveryChannel = "SMS") {
  users += 1;
  const userId = `00uCONV${users}`;
  const res = await postHook(gw.httpUrl, oktaHookBody({ userId, deliveryChannel }));
  expect(res.json.commands[0].value[0].status).toBe("SUCCESSFUL");
  return { userId, umid: res.json.commands[0].value[0].transactionId as string, sentAt: new Date(clock).toISOString() };
}
const conversionOf = async (umid: string) =>
  (await rpcClient(gw, sreKey).getDelivery({ lookup: { case: "providerMessageId", value: umid } })).delivery!
    .conversion;

describe("Okta's event hook", () => {
  it("answers the one-time verification, and 401 without the secret", async () => {
    const res = await fetch(`${gw.httpUrl}/okta/events`, {
      headers: { authorization: eventSecret, "x-okta-verification-challenge": "X1y2Z3" },
    });
    expect(await res.json()).toEqual({ verification: "X1y2Z3" });
    expect((await postEvents(fixture("okta-event-classic-sms.json", "u"), "wrong-secret-0000000000")).status).toBe(401);
  });

  it.each([
    ["a Classic SMS verification", "okta-event-classic-sms.json", "SMS"],
    ["an OIE phone (voice) verification", "okta-event-oie-phone.json", "Voice Call"],
  ])("%s converts the person's latest send, once", async (_name, file, deliveryChannel) => {
    const send = await hookSend(deliveryChannel);
    const body = fixture(file, send.userId, send.sentAt);
    expect((await postEvents(body)).status).toBe(200);
    await expect.poll(() => conversionOf(send.umid)).toBe(Conversion.CONVERTED);
    // Okta retries: the same body again counts nothing more.
    expect((await postEvents(body)).status).toBe(200);
    const channel = deliveryChannel === "SMS" ? "sms" : "voice";
    const counted = async () => {
      const metrics = await (await fetch(`${gw.httpUrl}/metrics`)).text();
      return new RegExp(
        `otp_conversions_total\\{channel="${channel}",country="[A-Z]{2}",result="converted"\\} 1\\n`,
      ).test(metrics);
    };
    await expect.poll(counted).toBe(true);
    await new Promise((r) => setTimeout(r, 100));
    expect(await counted()).toBe(true);
  });

  it("leaves alone sends of other users, other factors, failures and late events", async () => {
    const send = await hookSend();
    const other = fixture("okta-event-classic-sms.json", "00uSOMEONEELSE", send.sentAt);
    const push = fixture("okta-event-classic-sms.json", send.userId, send.sentAt);
    push.data.events[0].debugContext.debugData.factor = "OKTA_VERIFY_PUSH";
    const failed = fixture("okta-event-classic-sms.json", send.userId, send.sentAt);
    failed.data.events[0].outcome = { result: "FAILURE", reason: "INVALID_CREDENTIALS" };
    const late = fixture("okta-event-classic-sms.json", send.userId, new Date(clock + 11 * 60_000).toISOString());
    for (const body of [other, push, failed, late]) expect((await postEvents(body)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 150));
    expect(await conversionOf(send.umid)).toBe(Conversion.UNSPECIFIED);
  });

  it("judges a send not converted when its window ends without a report", async () => {
    const send = await hookSend();
    clock += 10 * 60_000 + 1;
    await expect.poll(() => conversionOf(send.umid), { timeout: 3_000 }).toBe(Conversion.NOT_CONVERTED);
    // A report after that does not change it.
    await postEvents(fixture("okta-event-classic-sms.json", send.userId, new Date(clock).toISOString()));
    await new Promise((r) => setTimeout(r, 100));
    expect(await conversionOf(send.umid)).toBe(Conversion.NOT_CONVERTED);
  });

  it("answers 400 to a body that is no event hook, and never a 5xx (fuzzed)", async () => {
    expect((await postEvents("{not json")).status).toBe(400);
    expect((await postEvents({ hello: "world" })).status).toBe(400);
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 5 }), async (value) => {
        const res = await postEvents({
          data: {
            events: [
              value,
              {
                eventType: "user.authentication.auth_via_mfa",
                actor: value,
                outcome: value,
                debugContext: value,
                target: value,
              },
            ],
          },
        });
        expect(res.status).toBeLessThan(500);
        await res.arrayBuffer();
      }),
      { numRuns: 300 },
    );
  });
});

describe("ReportOutcome", () => {
  it("records the caller's own report once, and refuses another caller's send as NOT_FOUND", async () => {
    const client = rpcClient(gw, rpcApiKey);
    const sent = await client.sendOtp({
      channel: Channel.SMS,
      phoneNumber: "+447400120123",
      code: "482913",
      idempotencyKey: "report-1",
    });
    const first = await client.reportOutcome({ lookup: { case: "idempotencyKey", value: "report-1" }, verified: true });
    expect(first.conversion).toBe(Conversion.CONVERTED);
    const second = await client.reportOutcome({
      lookup: { case: "deliveryId", value: sent.deliveryId },
      verified: false,
    });
    expect(second.conversion).toBe(Conversion.CONVERTED);
    const stranger = await rpcClient(gw, sreKey)
      .reportOutcome({ lookup: { case: "deliveryId", value: sent.deliveryId }, verified: false })
      .catch((e: unknown) => ConnectError.from(e));
    expect((stranger as ConnectError).code).toBe(Code.NotFound);
  });
});

describe("8x8's Feedback API (EIGHTBYEIGHT_FEEDBACK)", () => {
  const feedbackCalls = () => carrier.fake.requests.filter((r) => r.path.endsWith("/feedback"));

  it("sends SMS with track Outcome and posts exactly one feedback per converted SMS", async () => {
    const on = await carrier.gateway({ ...receiptEnv, EIGHTBYEIGHT_FEEDBACK: "on" });
    const client = rpcClient(on, rpcApiKey);
    const sent = await client.sendOtp({ channel: Channel.SMS, phoneNumber: "+447400120123", code: "482913" });
    expect((carrier.fake.requests.at(-1)!.body as { track?: string }).track).toBe("Outcome");
    await client.reportOutcome({ lookup: { case: "deliveryId", value: sent.deliveryId }, verified: true });
    await client.reportOutcome({ lookup: { case: "deliveryId", value: sent.deliveryId }, verified: true });
    await expect.poll(() => feedbackCalls().length).toBe(1);
    await new Promise((r) => setTimeout(r, 100));
    expect(feedbackCalls()).toHaveLength(1);
    expect(feedbackCalls()[0]).toMatchObject({
      method: "POST",
      path: `/api/v1/subaccounts/acme_hq/messages/${sent.providerMessageId}/feedback`,
      body: { outcome: "success" },
    });
    const metrics = await (await fetch(`${on.httpUrl}/metrics`)).text();
    expect(metrics).toContain('otp_feedback_posts_total{outcome="sent"} 1');
  });

  it("posts none without the switch, and none past 8x8's 15 minutes", async () => {
    const client = rpcClient(gw, rpcApiKey);
    const sent = await client.sendOtp({ channel: Channel.SMS, phoneNumber: "+447400120123", code: "482913" });
    expect((carrier.fake.requests.at(-1)!.body as { track?: string }).track).toBeUndefined();
    await client.reportOutcome({ lookup: { case: "deliveryId", value: sent.deliveryId }, verified: true });
    let now = Date.now();
    const late = await carrier.gateway({ ...receiptEnv, EIGHTBYEIGHT_FEEDBACK: "on" }, { now: () => now });
    const lateClient = rpcClient(late, rpcApiKey);
    const old = await lateClient.sendOtp({ channel: Channel.SMS, phoneNumber: "+447400120123", code: "482913" });
    now += 15 * 60_000 + 1;
    await lateClient.reportOutcome({ lookup: { case: "deliveryId", value: old.deliveryId }, verified: false });
    await new Promise((r) => setTimeout(r, 200));
    expect(feedbackCalls()).toHaveLength(0);
    expect(await (await fetch(`${late.httpUrl}/metrics`)).text()).toContain(
      'otp_feedback_posts_total{outcome="expired"} 1',
    );
  });
});

describe("a façade in front of the service", () => {
  it("the service's event hook converts the hook sends the façade made (under its own API key)", async () => {
    const service = await carrier.gateway({
      GATEWAY_ROLE: "service",
      ...receiptEnv,
      OTP_API_KEYS: `${receiptEnv.OTP_API_KEYS},facade:${facadeApiKey}`,
      OKTA_EVENT_HOOK_SECRET: eventSecret,
    });
    const facade = await startTestGateway({
      OTP_SERVICE_URL: service.httpUrl,
      OTP_SERVICE_API_KEY: facadeApiKey,
    });
    try {
      const userId = "00uFACADE1";
      const res = await postHook(facade.httpUrl, oktaHookBody({ userId }));
      const umid = res.json.commands[0].value[0].transactionId as string;
      const body = fixture("okta-event-classic-sms.json", userId, new Date().toISOString());
      const posted = await fetch(`${service.httpUrl}/okta/events`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: eventSecret },
        body: JSON.stringify(body),
      });
      expect(posted.status).toBe(200);
      const conversion = async () =>
        (await rpcClient(service, sreKey).getDelivery({ lookup: { case: "providerMessageId", value: umid } })).delivery!
          .conversion;
      await expect.poll(conversion).toBe(Conversion.CONVERTED);
    } finally {
      await facade.close();
    }
  });
});
