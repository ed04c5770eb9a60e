import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Channel, DeliveryStatus, OtpService, SendOtpRequestSchema } from "../gen/otp/v1/otp_pb.js";
import { createBearerInterceptor } from "../src/otp/client/bearer.js";
import { rpcApiKey, rpcClient, type TestGateway, useFakeCarrier } from "./support/gateway.js";
import { grpcJsOtpClient } from "./support/grpc-js.js";
import { oktaHookBody, postHook } from "./support/okta.js";
import { dlrBody, receiptEnv, sreKey, vssBody, webhookSecret } from "./support/receipts.js";

// 8x8's receipts, posted by the fake 8x8 to a real gateway, read back over gRPC and Connect.

const carrier = useFakeCarrier();
let gw: TestGateway;
beforeAll(async () => {
  gw = await carrier.gateway(receiptEnv);
});

const smsHook = `/webhooks/8x8/sms`;
const voiceHook = `/webhooks/8x8/voice`;
const post = (path: string, body: unknown, auth: string | undefined = webhookSecret) =>
  carrier.fake.postWebhook(`${gw.httpUrl}${path}`, body, auth);

/** The carrier id 8x8 gave the last send. */
const lastProviderId = () => {
  const answer = carrier.fake.answers.at(-1) as { umid?: string; sessionId?: string };
  return answer.umid ?? answer.sessionId ?? "";
};

describe("GetDelivery over gRPC (@grpc/grpc-js + the .proto)", () => {
  let client: grpc.Client & Record<string, any>;
  beforeAll(() => {
    client = grpcJsOtpClient(gw.grpcUrl);
  });
  afterAll(() => client?.close());

  const getDelivery = (req: object, key = sreKey) =>
    new Promise<{ err: grpc.ServiceError | null; res: any }>((resolve) => {
      const metadata = new grpc.Metadata();
      metadata.set("authorization", `Bearer ${key}`);
      client.GetDelivery(req, metadata, { deadline: Date.now() + 5_000 }, (err: grpc.ServiceError | null, res: any) =>
        resolve({ err, res }),
      );
    });

  it("an Okta SMS send, then 8x8's delivered receipt: DELIVERED with no error code", async () => {
    const hook = oktaHookBody({ phoneNumber: "+447400120123", userId: "00uGRACE" });
    expect((await postHook(gw.httpUrl, hook)).status).toBe(200);
    const umid = lastProviderId();
    const receipt = dlrBody(umid, { state: "delivered", detail: "delivered_to_recipient" }, { price: 0.0125 });
    expect(await post(smsHook, receipt)).toEqual({ status: 200, body: { ok: true, outcome: "applied" } });

    const { err, res } = await getDelivery({ provider_message_id: umid });
    expect(err).toBeNull();
    expect(res.delivery).toMatchObject({
      provider: "8x8",
      provider_message_id: umid,
      channel: "CHANNEL_SMS",
      status: "DELIVERY_STATUS_DELIVERED",
      error_code: "",
      masked_phone_number: "+44******0123",
      country: "GB",
      caller: "okta-hook",
      user_id: "00uGRACE",
      idempotency_key: hook.eventId,
      provider_state: "delivered",
      price: 0.0125,
      currency: "EUR",
      final: true,
    });
    expect(res.delivery.events.map((e: any) => e.status)).toEqual([
      "DELIVERY_STATUS_ACCEPTED",
      "DELIVERY_STATUS_DELIVERED",
    ]);
    // An SRE asks by Okta's eventId.
    const byEvent = await getDelivery({ idempotency_key: hook.eventId });
    expect(byEvent.res?.delivery.delivery_id).toBe(res.delivery.delivery_id);
    const byId = await getDelivery({ delivery_id: res.delivery.delivery_id });
    expect(byId.res?.delivery.provider_message_id).toBe(umid);
  });

  it("undelivered with code 1: UNDELIVERED, with 8x8's code and description", async () => {
    await postHook(gw.httpUrl, oktaHookBody());
    const umid = lastProviderId();
    const status = {
      state: "undelivered",
      detail: "undelivered_to_recipient",
      errorCode: 1,
      errorMessage: "absent subscriber",
    };
    await post(smsHook, dlrBody(umid, status));
    const { res } = await getDelivery({ provider_message_id: umid });
    expect(res.delivery).toMatchObject({
      status: "DELIVERY_STATUS_UNDELIVERED",
      error_code: "1",
      error_description: "absent subscriber",
      final: true,
    });
  });

  it("a voice send, then a session summary NO_ANSWER (leg spelled CallA): NOT_ANSWERED", async () => {
    await postHook(gw.httpUrl, oktaHookBody({ deliveryChannel: "Voice Call" }));
    const sessionId = lastProviderId();
    expect((await post(voiceHook, vssBody(sessionId, "NO_ANSWER", { legKey: "CallA" }))).status).toBe(200);
    const { res } = await getDelivery({ provider_message_id: sessionId });
    expect(res.delivery).toMatchObject({ channel: "CHANNEL_VOICE", status: "DELIVERY_STATUS_NOT_ANSWERED" });
  });

  it("callers see only their own sends: the hook's is NOT_FOUND to test-client, as is one that does not exist", async () => {
    await postHook(gw.httpUrl, oktaHookBody());
    const umid = lastProviderId();
    expect((await getDelivery({ provider_message_id: umid }, rpcApiKey)).err?.code).toBe(grpc.status.NOT_FOUND);
    expect((await getDelivery({ delivery_id: "no-such-delivery" })).err?.code).toBe(grpc.status.NOT_FOUND);
    const other = await getDelivery({ idempotency_key: "k", caller: "okta-hook" }, rpcApiKey);
    expect(other.err?.code).toBe(grpc.status.PERMISSION_DENIED);
    const none = await getDelivery({});
    expect(none.err?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect((await getDelivery({ delivery_id: "x" }, "wrong-key-000000000000")).err?.code).toBe(
      grpc.status.UNAUTHENTICATED,
    );
  });
});

describe("receipts in any order, and twice", () => {
  const client = () => rpcClient(gw);
  async function sendAndReceive(states: Array<{ state: string; errorCode?: number; timestamp?: string }>) {
    const sent = await client().sendOtp(
      create(SendOtpRequestSchema, { channel: Channel.SMS, phoneNumber: "+447400120123", code: "482913" }),
    );
    for (const status of states)
      expect((await post(smsHook, dlrBody(sent.providerMessageId, status))).status).toBe(200);
    return (await client().getDelivery({ lookup: { case: "deliveryId", value: sent.deliveryId } })).delivery!;
  }
  const at = (s: number) => new Date(Date.UTC(2026, 11, 1, 12, 0, s)).toISOString();

  it.each([
    ["sent after delivered", ["delivered", "sent"], DeliveryStatus.DELIVERED],
    ["delivered twice", ["delivered", "delivered"], DeliveryStatus.DELIVERED],
    ["undelivered after delivered", ["delivered", "undelivered"], DeliveryStatus.DELIVERED],
    ["delivered after undelivered (8x8's backup route)", ["undelivered", "delivered"], DeliveryStatus.DELIVERED],
    ["queued, sent", ["queued", "sent"], DeliveryStatus.SENT],
    ["an unknown state", ["sent", "teleported"], DeliveryStatus.SENT],
    ["rejected by Omni Shield", ["rejected"], DeliveryStatus.REJECTED],
  ])("%s", async (_name, states, expected) => {
    const delivery = await sendAndReceive(states.map((state) => ({ state, timestamp: at(states.indexOf(state)) })));
    expect(delivery.status).toBe(expected);
    expect(delivery.events.map((e) => e.providerState)).toEqual(["QUEUED", ...new Set(states)]);
  });

  it("a duplicate is answered 200 and changes nothing; undelivered with code 36 is EXPIRED", async () => {
    const sent = await client().sendOtp(
      create(SendOtpRequestSchema, { channel: Channel.SMS, phoneNumber: "+447400120123", code: "482913" }),
    );
    const receipt = dlrBody(sent.providerMessageId, { state: "undelivered", errorCode: 36, timestamp: at(1) });
    expect((await post(smsHook, receipt)).body).toMatchObject({ outcome: "applied" });
    expect((await post(smsHook, receipt)).body).toMatchObject({ outcome: "duplicate" });
    const { delivery } = await client().getDelivery({ lookup: { case: "deliveryId", value: sent.deliveryId } });
    expect(delivery?.status).toBe(DeliveryStatus.EXPIRED);
    expect(delivery?.events).toHaveLength(2);
  });
});

describe("PUBLIC_BASE_URL", () => {
  it("SMS sends carry dlrCallbackUrl to this gateway, and a receipt posted with its user info as Basic is taken", async () => {
    const public_ = await carrier.gateway({ ...receiptEnv, PUBLIC_BASE_URL: "https://otp.example.com" });
    const sent = await rpcClient(public_).sendOtp(
      create(SendOtpRequestSchema, { channel: Channel.SMS, phoneNumber: "+447400120123", code: "482913" }),
    );
    const callback = new URL((carrier.fake.requests.at(-1)!.body as { dlrCallbackUrl: string }).dlrCallbackUrl);
    expect(`${callback.origin}${callback.pathname}`).toBe("https://otp.example.com/webhooks/8x8/sms");
    // What an HTTP client makes of a URL's user info.
    const basic = `Basic ${Buffer.from(`${decodeURIComponent(callback.username)}:${decodeURIComponent(callback.password)}`).toString("base64")}`;
    const res = await carrier.fake.postWebhook(
      `${public_.httpUrl}/webhooks/8x8/sms`,
      dlrBody(sent.providerMessageId, { state: "delivered" }),
      basic,
    );
    expect(res.status).toBe(200);
  });
});

describe("WatchDelivery", () => {
  it("streams ACCEPTED, then DELIVERED when the receipt comes, and ends", async () => {
    const client = rpcClient(gw);
    const sent = await client.sendOtp(
      create(SendOtpRequestSchema, { channel: Channel.SMS, phoneNumber: "+447400120123", code: "482913" }),
    );
    const seen: DeliveryStatus[] = [];
    const started = Date.now();
    setTimeout(() => void post(smsHook, dlrBody(sent.providerMessageId, { state: "delivered" })), 300);
    for await (const change of client.watchDelivery(
      { lookup: { case: "deliveryId", value: sent.deliveryId } },
      { timeoutMs: 10_000 },
    )) {
      seen.push(change.delivery!.status);
    }
    expect(seen).toEqual([DeliveryStatus.ACCEPTED, DeliveryStatus.DELIVERED]);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("with no receipt, ends cleanly at the caller's deadline", async () => {
    const client = rpcClient(gw);
    const sent = await client.sendOtp(
      create(SendOtpRequestSchema, { channel: Channel.SMS, phoneNumber: "+447400120123", code: "482913" }),
    );
    const seen: DeliveryStatus[] = [];
    const started = Date.now();
    for await (const change of client.watchDelivery(
      { lookup: { case: "providerMessageId", value: sent.providerMessageId } },
      { timeoutMs: 800 },
    )) {
      seen.push(change.delivery!.status);
    }
    expect(seen).toEqual([DeliveryStatus.ACCEPTED]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(600);
  });

  it("NOT_FOUND for another caller's send, over gRPC too", async () => {
    await postHook(gw.httpUrl, oktaHookBody());
    const transport = createConnectTransport({
      baseUrl: gw.grpcUrl,
      httpVersion: "2",
      interceptors: [createBearerInterceptor(rpcApiKey)],
    });
    const client = createClient(OtpService, transport);
    const watching = async () => {
      for await (const _ of client.watchDelivery({ lookup: { case: "providerMessageId", value: lastProviderId() } })) {
        // Nothing is streamed.
      }
    };
    await expect(watching()).rejects.toSatisfy((e) => ConnectError.from(e).code === Code.NotFound);
  });
});
