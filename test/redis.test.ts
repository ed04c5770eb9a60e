import type { DescService } from "@bufbuild/protobuf";
import { ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { Redis } from "ioredis";
import pino from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Conversion, DeliveryStatus, OtpService, RateLimitDetailSchema } from "../gen/otp/v1/otp_pb.js";
import { VerificationStatus, VerifyService } from "../gen/otp/v1/verify_pb.js";
import { createRedisDeliveryStore } from "../src/delivery/redis-store.js";
import { createDeliveryTracker } from "../src/delivery/tracker.js";
import { createBearerInterceptor } from "../src/otp/client/bearer.js";
import { type Fake8x8, startFake8x8 } from "./support/fake-8x8.js";
import { fakeCarrierEnv, oktaSecret, rpcApiKey } from "./support/gateway.js";
import { oktaHookBody, postHook } from "./support/okta.js";
import { type GatewayProcess, spawnGateway } from "./support/process.js";
import { dlrBody, receiptEnv, sreKey, webhookSecret } from "./support/receipts.js";
import { type RedisServer, redisAvailable, startRedis } from "./support/redis.js";
import { codeSentIn, verifyHashKey } from "./support/verify.js";

// Two real gateway processes sharing one real redis-server act as one gateway.

describe.runIf(redisAvailable())("several replicas sharing Redis (OTP_STORE_URL)", () => {
  let redis: RedisServer;
  let fake: Fake8x8;
  let inspect: Redis;
  const processes: GatewayProcess[] = [];

  async function replicas(env: Record<string, string>): Promise<[GatewayProcess, GatewayProcess]> {
    const started = await Promise.all(
      [1, 2].map(() =>
        spawnGateway(
          {
            ...fakeCarrierEnv(fake),
            OKTA_AUTH_SECRET: oktaSecret,
            OTP_STORE_URL: redis.url,
            OTP_STORE_PREFIX: "otpgw-test:",
            ...env,
          },
          { telemetry: false },
        ),
      ),
    );
    processes.push(...started);
    return started as [GatewayProcess, GatewayProcess];
  }
  const url = (p: GatewayProcess) => `http://127.0.0.1:${p.httpPort}`;
  /** A Connect client of `service` on replica `p`, with the RPC caller's key. */
  const clientOf = <S extends DescService>(service: S, p: GatewayProcess) =>
    createClient(
      service,
      createConnectTransport({
        baseUrl: url(p),
        httpVersion: "1.1",
        interceptors: [createBearerInterceptor(rpcApiKey)],
      }),
    );

  beforeAll(async () => {
    redis = await startRedis();
    fake = await startFake8x8();
    inspect = new Redis(redis.url);
    inspect.on("error", () => {});
  });
  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    inspect?.disconnect();
    await fake?.close();
    await redis?.stop();
  });
  afterEach(async () => {
    fake.reset();
    await inspect.flushall();
  });

  it("sends once for a duplicate Okta eventId that reaches both replicas at the same time", async () => {
    const [a, b] = await replicas({});
    fake.behave({ kind: "delay", ms: 200 });
    const body = oktaHookBody({ eventId: "evtTwoReplicas1" });
    const answers = await Promise.all([
      postHook(url(a), body),
      postHook(url(b), body),
      postHook(url(a), body),
      postHook(url(b), body),
    ]);
    expect(fake.requests).toHaveLength(1);
    const values = answers.map((r) => r.json.commands[0].value[0]);
    expect(values.every((v) => v.status === "SUCCESSFUL")).toBe(true);
    expect(new Set(values.map((v) => v.transactionId))).toEqual(new Set([(fake.answers[0] as { umid: string }).umid]));
  });

  it("replays the first answer to a repeat sent to the other replica the moment the first answer arrives", async () => {
    // The answer leaves before its record is written; the repeat must wait for it, not send.
    const [a, b] = await replicas({});
    const body = oktaHookBody({ eventId: "evtTwoReplicasSeq1" });
    const first = await postHook(url(a), body);
    const second = await postHook(url(b), body);
    expect(fake.requests).toHaveLength(1);
    const [one, two] = [first, second].map((r) => r.json.commands[0].value[0]);
    expect(two).toMatchObject({ status: "SUCCESSFUL", transactionId: one.transactionId });
    // The same delivery; only the hook's own latency in the metadata differs.
    expect(two.transactionMetadata.split(";")[0]).toBe(one.transactionMetadata.split(";")[0]);
  });

  it("holds a per-number limit across replicas under concurrent requests", async () => {
    const [a, b] = await replicas({ RATE_LIMIT_PER_PHONE: "5/10m" });
    const answers = await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        postHook(url(i % 2 === 0 ? a : b), oktaHookBody({ phoneNumber: "+447400123456" })),
      ),
    );
    const sent = answers.filter((r) => r.json.commands?.[0].value[0].status === "SUCCESSFUL");
    const limited = answers.filter((r) => r.json.error?.errorCauses?.[0]?.reason === "RATE_LIMITED");
    expect(fake.requests).toHaveLength(5);
    expect(sent).toHaveLength(5);
    expect(limited).toHaveLength(19);
  });

  it("keeps every key prefixed, expiring, and free of phone numbers", async () => {
    const [a] = await replicas({ RATE_LIMIT_PER_PHONE: "5/10m", RATE_LIMIT_PER_USER: "10/1h" });
    await postHook(url(a), oktaHookBody({ eventId: "evtKeys1", phoneNumber: "+447400123456" }));
    const keys = await inspect.keys("*");
    expect(keys.length).toBeGreaterThanOrEqual(3);
    for (const key of keys) {
      expect(key.startsWith("otpgw-test:")).toBe(true);
      expect(key).not.toContain("7400123456");
      expect(await inspect.pttl(key)).toBeGreaterThan(0);
    }
    const values = await Promise.all(keys.filter((k) => k.includes(":idem:")).map((k) => inspect.get(k)));
    expect(values.join()).not.toContain("7400123456");
  });

  it("keeps sending when Redis goes away (idempotency fails open), within the hook budget, and says so in /readyz", async () => {
    const [open] = await replicas({ RATE_LIMIT_PER_PHONE: "5/10m" });
    const closedLimits = (await replicas({ RATE_LIMIT_PER_PHONE: "5/10m", RATE_LIMIT_FAIL_MODE: "closed" }))[0];
    await redis.stop();
    try {
      const res = await postHook(url(open), oktaHookBody({ eventId: "evtRedisDown1" }));
      expect(res.json.commands[0].value[0].status).toBe("SUCCESSFUL");
      expect(fake.requests).toHaveLength(1);
      const ready = (await (await fetch(`${url(open)}/readyz`)).json()) as {
        status: string;
        store: { connected: boolean };
      };
      expect(ready).toMatchObject({ status: "ready", store: { kind: "redis", connected: false } });
      expect(open.output.join("\n")).toContain("idempotency store unavailable; sending without duplicate protection");

      const refused = await postHook(url(closedLimits), oktaHookBody({ eventId: "evtRedisDown2" }));
      expect(refused.json.commands[0].value[0]).toEqual({
        status: "FAILED",
        provider: "8x8",
        transactionMetadata: "reason=gateway_unavailable;channel=sms",
      });
      expect(fake.requests).toHaveLength(1);
    } finally {
      redis = await startRedis();
      inspect.disconnect();
      inspect = new Redis(redis.url);
      inspect.on("error", () => {});
    }
  });

  it("takes a receipt on the replica that did not send, and either replica answers GetDelivery", async () => {
    const [a, b] = await replicas(receiptEnv);
    const hook = oktaHookBody({ phoneNumber: "+447400120123" });
    expect((await postHook(url(a), hook)).json.commands[0].value[0].status).toBe("SUCCESSFUL");
    const umid = (fake.answers[0] as { umid: string }).umid;
    const webhook = `${url(b)}/webhooks/8x8/sms`;
    // Receipts racing on both replicas: each applied once, the final state wins.
    const racing = await Promise.all([
      fake.postWebhook(webhook, dlrBody(umid, { state: "sent", timestamp: "2026-12-01T12:00:00Z" }), webhookSecret),
      fake.postWebhook(
        `${url(a)}/webhooks/8x8/sms`,
        dlrBody(umid, { state: "delivered", timestamp: "2026-12-01T12:00:02Z" }),
        webhookSecret,
      ),
      fake.postWebhook(
        webhook,
        dlrBody(umid, { state: "delivered", timestamp: "2026-12-01T12:00:02Z" }),
        webhookSecret,
      ),
    ]);
    expect(racing.map((r) => r.status)).toEqual([200, 200, 200]);
    for (const replica of [a, b]) {
      const client = createClient(
        OtpService,
        createConnectTransport({
          baseUrl: url(replica),
          httpVersion: "1.1",
          interceptors: [createBearerInterceptor(sreKey)],
        }),
      );
      const { delivery } = await client.getDelivery({ lookup: { case: "idempotencyKey", value: hook.eventId } });
      expect(delivery).toMatchObject({
        status: DeliveryStatus.DELIVERED,
        providerMessageId: umid,
        caller: "okta-hook",
      });
      expect(delivery!.events.map((e) => e.providerState)).toEqual(["QUEUED", "sent", "delivered"]);
    }
    for (const key of await inspect.keys("otpgw-test:dlv*"))
      expect(await inspect.pttl(key)).toBeGreaterThan(48 * 3_600_000);
  });

  it("WatchDelivery on one replica sees the receipt another replica took", async () => {
    const [a, b] = await replicas(receiptEnv);
    await postHook(url(a), oktaHookBody());
    const umid = (fake.answers[0] as { umid: string }).umid;
    const client = createClient(
      OtpService,
      createConnectTransport({ baseUrl: url(a), httpVersion: "1.1", interceptors: [createBearerInterceptor(sreKey)] }),
    );
    setTimeout(
      () => void fake.postWebhook(`${url(b)}/webhooks/8x8/sms`, dlrBody(umid, { state: "delivered" }), webhookSecret),
      300,
    );
    const seen: DeliveryStatus[] = [];
    for await (const change of client.watchDelivery(
      { lookup: { case: "providerMessageId", value: umid } },
      { timeoutMs: 10_000 },
    )) {
      seen.push(change.delivery!.status);
    }
    expect(seen).toEqual([DeliveryStatus.ACCEPTED, DeliveryStatus.DELIVERED]);
  });

  it("answers 503 to a receipt it cannot store, so 8x8 sends it again", async () => {
    const [a] = await replicas(receiptEnv);
    await redis.stop();
    try {
      const res = await fake.postWebhook(
        `${url(a)}/webhooks/8x8/sms`,
        dlrBody("umid-1", { state: "delivered" }),
        webhookSecret,
      );
      expect(res.status).toBe(503);
      expect(a.output.join("\n")).toContain("delivery receipt not stored; 8x8 is asked to send it again");
    } finally {
      redis = await startRedis();
      inspect.disconnect();
      inspect = new Redis(redis.url);
      inspect.on("error", () => {});
    }
  });

  it("Verify across two replicas: 20 racing right codes approve once, 20 racing wrong codes use exactly 5 attempts", async () => {
    const [a, b] = await replicas({ ...receiptEnv, VERIFY_HASH_KEY: verifyHashKey });
    const [ca, cb] = [clientOf(VerifyService, a), clientOf(VerifyService, b)];
    const right = await ca.startVerification({ phoneNumber: "+447400120123", channel: 1, purpose: "race-right" });
    const code = codeSentIn(fake.requests.at(-1)!.body);
    const checks = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? ca : cb).checkVerification({ verificationId: right.verificationId, code }).then(
          (r) => r.status,
          () => "refused",
        ),
      ),
    );
    expect(checks.filter((s) => s === VerificationStatus.APPROVED)).toHaveLength(1);
    expect(checks.filter((s) => s === "refused")).toHaveLength(19);

    const wrong = await cb.startVerification({ phoneNumber: "+447400120123", channel: 1, purpose: "race-wrong" });
    const bad = codeSentIn(fake.requests.at(-1)!.body) === "000000" ? "111111" : "000000";
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? ca : cb).checkVerification({ verificationId: wrong.verificationId, code: bad }),
      ),
    );
    const got = await ca.getVerification({ verificationId: wrong.verificationId });
    expect(got.verification).toMatchObject({ status: VerificationStatus.FAILED, attempts: 5 });
    expect(answers.filter((r) => r.status === VerificationStatus.PENDING)).toHaveLength(4);
    expect(answers.filter((r) => r.status === VerificationStatus.FAILED)).toHaveLength(16);
    // Nothing kept in Redis shows the code or the number; everything expires.
    const keys = await inspect.keys("otpgw-test:vfy*");
    expect(keys.length).toBeGreaterThanOrEqual(3);
    for (const key of keys) {
      expect(key).not.toContain("7400120123");
      expect(await inspect.pttl(key)).toBeGreaterThan(0);
      const value = (await inspect.get(key)) ?? "";
      expect(value).not.toContain("7400120123");
      expect(value).not.toMatch(new RegExp(`"${code}"|:${code}\\b`));
    }
  });

  it("anti-pumping counters are shared: one prefix limit and one conversion guard for both replicas", async () => {
    const [a, b] = await replicas({ RATE_LIMIT_PER_PREFIX: "30/10m", FRAUD_CONVERSION_SAMPLE: "20" });
    const [ca, cb] = [clientOf(OtpService, a), clientOf(OtpService, b)];
    const ids: string[] = [];
    const refused: string[] = [];
    for (let i = 0; i < 80; i++) {
      const phoneNumber = `+447400120${String(i).padStart(3, "0")}`;
      await (i % 2 ? ca : cb)
        .sendOtp({ channel: 1, phoneNumber, code: "482913" })
        .then((r) => ids.push(r.deliveryId))
        .catch((e: unknown) => refused.push(ConnectError.from(e).findDetails(RateLimitDetailSchema)[0]?.limit ?? "?"));
    }
    expect(ids).toHaveLength(30);
    expect(refused.every((l) => l === "prefix")).toBe(true);
    for (const id of ids.slice(0, 20)) {
      const owner = await ca.getDelivery({ lookup: { case: "deliveryId", value: id } }).then(
        () => ca,
        () => cb,
      );
      await owner.reportOutcome({ lookup: { case: "deliveryId", value: id }, verified: false });
    }
    // Another replica sees a cool-down within a second (it asks Redis at most once a second).
    await new Promise((r) => setTimeout(r, 1_100));
    const other = await cb
      .sendOtp({ channel: 1, phoneNumber: "+447400555123", code: "482913" })
      .catch((e: unknown) => ConnectError.from(e));
    expect((other as ConnectError).findDetails(RateLimitDetailSchema)[0]?.limit).toBe("conversion_guard");
  });

  it("Okta's event hook on one replica converts the hook send another replica made", async () => {
    const eventSecret = "okta-events-Hq4Zx8Lm2Vc7Rt1Wp";
    const [a, b] = await replicas({ ...receiptEnv, OKTA_EVENT_HOOK_SECRET: eventSecret });
    const res = await postHook(url(a), oktaHookBody({ userId: "00uREDIS1" }));
    const umid = res.json.commands[0].value[0].transactionId as string;
    const body = {
      data: {
        events: [
          {
            uuid: "e1",
            published: new Date().toISOString(),
            eventType: "user.authentication.auth_via_mfa",
            actor: { id: "00uREDIS1", type: "User" },
            outcome: { result: "SUCCESS" },
            debugContext: { debugData: { factor: "SMS_FACTOR" } },
          },
        ],
      },
    };
    const posted = await fetch(`${url(b)}/okta/events`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: eventSecret },
      body: JSON.stringify(body),
    });
    expect(posted.status).toBe(200);
    const client = createClient(
      OtpService,
      createConnectTransport({ baseUrl: url(a), httpVersion: "1.1", interceptors: [createBearerInterceptor(sreKey)] }),
    );
    const conversion = async () =>
      (await client.getDelivery({ lookup: { case: "providerMessageId", value: umid } })).delivery!.conversion;
    await expect.poll(conversion).toBe(Conversion.CONVERTED);
    for (const key of await inspect.keys("otpgw-test:dlv-u:*")) expect(key).not.toContain("00uREDIS1");
  });

  it("the Redis delivery store judges a send not converted, and UNCONFIRMED, once its waits end", async () => {
    const connection = new Redis(redis.url, { keyPrefix: "otpgw-unit:" });
    try {
      let now = Date.now();
      const store = createRedisDeliveryStore(connection, { retentionMs: 49 * 3_600_000 });
      const tracker = createDeliveryTracker({
        store,
        shared: true,
        receiptTimeoutMs: { sms: 600_000, voice: 300_000 },
        now: () => now,
        logger: pino({ level: "silent" }),
        conversionWindow: { ms: 600_000, scopes: new Set(["okta"]) },
      });
      const send = {
        deliveryId: "d-redis-1",
        provider: "8x8",
        providerMessageId: "umid-redis-1",
        providerStatus: "QUEUED",
        channel: "sms" as const,
        maskedPhone: "+44******0123",
        country: "GB",
        caller: "okta-hook",
        purpose: "com.okta.user.telephony.mfa-verification",
        userId: "00uSWEEP",
        idempotencyKey: "evtSweep1",
        traceId: "",
        spanId: "",
      };
      await tracker.accepted(send);
      expect(await tracker.find({ kind: "user", scope: "okta", userId: "00uSWEEP" })).toBe("d-redis-1");
      now += 600_001;
      expect(await tracker.sweep()).toBe(2);
      expect(await tracker.sweep()).toBe(0);
      expect(await tracker.get("d-redis-1")).toMatchObject({ state: "unconfirmed", conversion: "not_converted" });
    } finally {
      connection.disconnect();
    }
  });

  it("a pending verification sealed under another VERIFY_HASH_KEY is started anew, not resent or failed", async () => {
    const [a] = await replicas({ ...receiptEnv, VERIFY_HASH_KEY: verifyHashKey });
    const [b] = await replicas({ ...receiptEnv, VERIFY_HASH_KEY: "vk-rotated-7Hq2Lm9Xw4Rt1Zp8Cv3Bn" });
    const first = await clientOf(VerifyService, a).startVerification({
      phoneNumber: "+447400120123",
      channel: 1,
      purpose: "rotate",
    });
    const second = await clientOf(VerifyService, b).startVerification({
      phoneNumber: "+447400120123",
      channel: 1,
      purpose: "rotate",
    });
    expect(second.verificationId).not.toBe(first.verificationId);
    expect(second.sends).toBe(1);
    const code = codeSentIn(fake.requests.at(-1)!.body);
    const checked = await clientOf(VerifyService, b).checkVerification({ verificationId: second.verificationId, code });
    expect(checked.status).toBe(VerificationStatus.APPROVED);
  });
});
