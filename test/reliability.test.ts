import { hash, randomUUID } from "node:crypto";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { pino } from "pino";
import { beforeAll, describe, expect, it } from "vitest";
import { Channel, DeliveryStatus, OtpService } from "../gen/otp/v1/otp_pb.js";
import { createSandboxCarrier } from "../src/carrier/sandbox/index.js";
import { createFixedCallerInterceptor } from "../src/otp/api-key-auth.js";
import { createInProcessTransport } from "../src/otp/client/in-process-transport.js";
import { createOtpService } from "../src/otp/service.js";
import { createMemoryIdempotencyStore } from "../src/store/idempotency-store.js";
import { rpcClient, type TestGateway, useFakeCarrier } from "./support/gateway.js";
import { oktaHookBody, postHook } from "./support/okta.js";

const carrier = useFakeCarrier();
const gateway = carrier.gateway;

const failure = (err: unknown) => ConnectError.from(err);

describe("idempotency: a send happens at most once per key", () => {
  it("answers a repeated Okta eventId with the first answer and no new 8x8 call", async () => {
    const gw = await gateway();
    const body = oktaHookBody({ eventId: "evtDup0001" });
    const first = await postHook(gw.httpUrl, body);
    const second = await postHook(gw.httpUrl, body);
    expect(carrier.fake.requests).toHaveLength(1);
    expect(first.json.commands[0].value[0].status).toBe("SUCCESSFUL");
    expect(second.json.commands[0].value[0].transactionId).toBe(first.json.commands[0].value[0].transactionId);
    expect(gw.logs.join("\n")).toContain("repeat of an earlier request: replaying its answer");
  });

  it("makes a repeat that arrives while the first is in flight wait for it and share its answer", async () => {
    const gw = await gateway();
    carrier.fake.behave({ kind: "delay", ms: 300 });
    const body = oktaHookBody({ eventId: "evtDupConcurrent" });
    const answers = await Promise.all([
      postHook(gw.httpUrl, body),
      postHook(gw.httpUrl, body),
      postHook(gw.httpUrl, body),
    ]);
    expect(carrier.fake.requests).toHaveLength(1);
    const ids = answers.map((a) => a.json.commands[0].value[0].transactionId);
    expect(new Set(ids).size).toBe(1);
    expect(answers.every((a) => a.json.commands[0].value[0].status === "SUCCESSFUL")).toBe(true);
  });

  it("refuses the same eventId with a different destination or code, without sending", async () => {
    const gw = await gateway();
    await postHook(gw.httpUrl, oktaHookBody({ eventId: "evtDupMismatch", otpCode: "111222" }));
    const other = await postHook(gw.httpUrl, oktaHookBody({ eventId: "evtDupMismatch", otpCode: "333444" }));
    expect(carrier.fake.requests).toHaveLength(1);
    expect(other.json.commands[0].value[0]).toEqual({
      status: "FAILED",
      provider: "8x8",
      transactionMetadata: "reason=duplicate_event;channel=sms",
    });
  });

  it("replays a failure that may have sent (unreadable 8x8 answer) instead of risking a second SMS", async () => {
    const gw = await gateway();
    const client = rpcClient(gw);
    carrier.fake.behave({ kind: "raw", status: 200, contentType: "application/json", body: "{oops" });
    const req = { channel: Channel.SMS, phoneNumber: "+447911123456", code: "123987", idempotencyKey: "maybe-sent-1" };
    const first = failure(await client.sendOtp(req).catch((e: unknown) => e));
    carrier.fake.behave({ kind: "accept" });
    const second = failure(await client.sendOtp(req).catch((e: unknown) => e));
    expect(first.code).toBe(Code.Unknown);
    expect(second.code).toBe(Code.Unknown);
    expect(second.rawMessage).toBe(first.rawMessage);
    expect(carrier.fake.requests).toHaveLength(1);
  });

  it("replays an RPC success field for field, whether the record is compact or from before", async () => {
    const gw = await gateway();
    const client = rpcClient(gw);
    const req = {
      channel: Channel.VOICE,
      phoneNumber: "+447911123456",
      code: "246810",
      idempotencyKey: "replay-fields-1",
    };
    const first = await client.sendOtp(req);
    await new Promise((r) => setImmediate(r)); // the record is written after the answer
    expect(await client.sendOtp(req)).toEqual(first);
    expect(first).toMatchObject({
      status: DeliveryStatus.ACCEPTED,
      channel: Channel.VOICE,
      maskedPhoneNumber: "+44******3456",
    });
    expect(carrier.fake.requests).toHaveLength(1);

    // A record in the older, whole-response form (a Redis store written by the previous version).
    const store = createMemoryIdempotencyStore();
    const older = {
      deliveryId: "d-old",
      provider: "8x8",
      providerMessageId: "m-old",
      status: "DELIVERY_STATUS_ACCEPTED",
      channel: "CHANNEL_VOICE",
      maskedPhoneNumber: "+44******3456",
    };
    const service = createOtpService({
      carrier: createSandboxCarrier(),
      logger: pino({ level: "silent" }),
      smsTemplate: "{code}",
      defaultTimeoutMs: 1000,
      idempotency: store,
    });
    const key = { ...req, idempotencyKey: "replay-fields-old" };
    const sendOnce = () =>
      createClient(
        OtpService,
        createInProcessTransport({
          service: OtpService,
          impl: service,
          serverInterceptors: [createFixedCallerInterceptor("c")],
        }),
      ).sendOtp(key);
    const fresh = await sendOnce(); // learns the fingerprint the store keeps for this request
    await new Promise((r) => setImmediate(r));
    await store.settle("c:replay-fields-old", { kind: "ok", response: older }, 60_000);
    expect(await sendOnce()).toEqual({ ...fresh, deliveryId: "d-old", provider: "8x8", providerMessageId: "m-old" });
  });

  it("forgets a failure where 8x8 provably took nothing, so a retry with the same key sends", async () => {
    const gw = await gateway({ CARRIER_MAX_RETRIES: "0" });
    const client = rpcClient(gw);
    carrier.fake.behave({
      kind: "sms-error",
      status: 429,
      code: 429,
      message: "Quota exceeded",
      headers: { "retry-after": "1" },
    });
    const req = { channel: Channel.SMS, phoneNumber: "+447911123456", code: "123987", idempotencyKey: "not-sent-1" };
    expect(failure(await client.sendOtp(req).catch((e: unknown) => e)).code).toBe(Code.ResourceExhausted);
    carrier.fake.behave({ kind: "accept" });
    const res = await client.sendOtp(req);
    expect(res.providerMessageId).toBe((carrier.fake.answers[1] as { umid: string }).umid);
    expect(carrier.fake.requests).toHaveLength(2);
  });

  it("scopes keys by caller and expires them after IDEMPOTENCY_TTL_MS", async () => {
    let clock = Date.parse("2026-11-22T10:00:00Z");
    const gw = await gateway({ IDEMPOTENCY_TTL_MS: "60000" }, { now: () => clock });
    const client = rpcClient(gw);
    const req = { channel: Channel.SMS, phoneNumber: "+447911123456", code: "555777", idempotencyKey: "ttl-1" };
    const first = await client.sendOtp(req);
    clock += 59_000;
    expect((await client.sendOtp(req)).deliveryId).toBe(first.deliveryId);
    expect(carrier.fake.requests).toHaveLength(1);
    clock += 2_000;
    expect((await client.sendOtp(req)).deliveryId).not.toBe(first.deliveryId);
    expect(carrier.fake.requests).toHaveLength(2);
    // The same key from the in-process façade (another caller) is another request.
    await postHook(gw.httpUrl, oktaHookBody({ eventId: "ttl-1", otpCode: "555777" }));
    expect(carrier.fake.requests).toHaveLength(3);
  });

  it("keeps each remembered key small and off the JS heap (a gateway holds up to IDEMPOTENCY_MAX_KEYS)", async () => {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const n = 20_000;
    const used = () => {
      const m = process.memoryUsage();
      return { heap: m.heapUsed, all: m.heapUsed + m.arrayBuffers };
    };
    gc();
    const before = used();
    const store = createMemoryIdempotencyStore({ maxEntries: n });
    let last = { key: "", response: {} };
    for (let i = 0; i < n; i++) {
      // Built as the service builds them: a concatenated key, a sliced fingerprint, JSON outcome.
      const key = `okta-hook:${JSON.parse(`"evt${randomUUID().slice(0, 17)}"`) as string}`;
      await store.claim(key, hash("sha256", key, "base64url").slice(0, 22), 60_000);
      // An ok answer is recorded as the three fields a repeat cannot rebuild (src/otp/service.ts).
      const response = { deliveryId: randomUUID(), provider: "8x8", providerMessageId: randomUUID() };
      await store.settle(key, { kind: "ok", response }, 60_000);
      last = { key, response };
    }
    gc();
    const after = used();
    expect(store.size()).toBe(n);
    // Its bytes (224) and its slot's bookkeeping; as objects and strings a key took ~390 bytes
    // of heap, promoted and marked by every collection.
    expect((after.all - before.all) / n).toBeLessThan(300);
    expect((after.heap - before.heap) / n).toBeLessThan(16);
    const repeat = await store.claim(last.key, hash("sha256", last.key, "base64url").slice(0, 22), 60_000);
    expect(repeat).toMatchObject({ claimed: false, record: { outcome: { kind: "ok", response: last.response } } });
  });

  it("finds a key again whatever its text (the store keeps flat copies of keys)", async () => {
    const store = createMemoryIdempotencyStore();
    for (const key of ["caller:evt-1", "caller-é:evt-2", "caller:\ud800-lone-surrogate"]) {
      expect(await store.claim(key, "f", 60_000)).toEqual({ claimed: true });
      await store.settle(key, { kind: "error", code: 2, message: `answer for ${key}` }, 60_000);
      expect(await store.claim(key, "f", 60_000)).toEqual({
        claimed: false,
        record: { fingerprint: "f", outcome: { kind: "error", code: 2, message: `answer for ${key}` } },
      });
    }
  });

  it("keeps the in-memory store bounded under a flood of unique keys", async () => {
    const store = createMemoryIdempotencyStore({ maxEntries: 100 });
    for (let i = 0; i < 5000; i++) await store.claim(`k${i}`, "f", 60_000);
    expect(store.size()).toBeLessThanOrEqual(100);
    expect(await store.claim("k4999", "f", 60_000)).toEqual({ claimed: false, record: { fingerprint: "f" } });
    expect(await store.claim("k0", "f", 60_000)).toEqual({ claimed: true });
  });
});

describe("retries: only where 8x8 provably did not take the send", () => {
  it.each([
    [
      "an HTML 503 from 8x8's load balancer",
      { kind: "raw", status: 503, contentType: "text/html", body: "<html>503</html>" } as const,
    ],
    [
      "a 429 whose Retry-After (1 s) fits the budget",
      { kind: "sms-error", status: 429, code: 429, message: "Quota", headers: { "retry-after": "1" } } as const,
    ],
  ])("retries once after %s and succeeds", async (_name, first) => {
    const gw = await gateway();
    carrier.fake.behaveNext(first);
    const res = await postHook(gw.httpUrl, oktaHookBody());
    expect(carrier.fake.requests).toHaveLength(2);
    expect(res.json.commands[0].value[0]).toMatchObject({
      status: "SUCCESSFUL",
      transactionId: (carrier.fake.answers.at(-1) as { umid: string }).umid,
    });
  });

  it.each([
    [
      "a JSON 500 (8x8 may have queued it)",
      { kind: "sms-error", status: 500, code: 2000, message: "Internal error" } as const,
      "carrier_unavailable",
    ],
    [
      "a 429 whose Retry-After does not fit",
      { kind: "sms-error", status: 429, code: 429, message: "Quota", headers: { "retry-after": "30" } } as const,
      "rate_limited",
    ],
    [
      "an unreadable 200",
      { kind: "raw", status: 200, contentType: "application/json", body: "not json" } as const,
      "outcome_unknown",
    ],
    [
      "a 200 far too large to be 8x8's answer",
      { kind: "raw", status: 200, contentType: "application/json", body: `{"umid":"${"x".repeat(200_000)}"}` } as const,
      "outcome_unknown",
    ],
    ["a REJECTED 200", { kind: "sms-rejected", description: "Invalid Source value" } as const, "carrier_refused"],
    // 8x8 read the whole request before the connection broke: it may have queued the SMS.
    ["a connection reset after 8x8 read the request", { kind: "reset" } as const, "outcome_unknown"],
    ["a 200 QUEUED with headers too large to read", { kind: "huge-headers" } as const, "outcome_unknown"],
  ])("does not retry %s", async (_name, first, reason) => {
    const gw = await gateway();
    carrier.fake.behaveNext(first);
    const res = await postHook(gw.httpUrl, oktaHookBody());
    expect(carrier.fake.requests).toHaveLength(1);
    expect(res.json.commands[0].value[0].transactionMetadata).toBe(`reason=${reason};channel=sms`);
  });

  it("does not retry a send that timed out (it may have gone out)", async () => {
    const gw = await gateway({ OKTA_HOOK_BUDGET_MS: "500" });
    carrier.fake.behaveNext({ kind: "hang" });
    const res = await postHook(gw.httpUrl, oktaHookBody());
    expect(res.json.commands[0].value[0].transactionMetadata).toBe("reason=timeout;channel=sms");
    expect(carrier.fake.requests).toHaveLength(1);
  });
});

describe("circuit breaker: fail fast while 8x8 keeps failing, recover by itself", () => {
  it("opens after consecutive failures, shows it on /readyz, and closes after a good trial", async () => {
    let clock = Date.parse("2026-11-22T10:00:00Z");
    const gw = await gateway({ CIRCUIT_FAILURE_THRESHOLD: "3", CIRCUIT_COOLDOWN_MS: "5000" }, { now: () => clock });
    carrier.fake.behave({ kind: "sms-error", status: 500, code: 2000, message: "Internal error" });
    for (let i = 0; i < 3; i++) await postHook(gw.httpUrl, oktaHookBody());
    expect(carrier.fake.requests).toHaveLength(3);

    const fast = await postHook(gw.httpUrl, oktaHookBody());
    expect(fast.json.commands[0].value[0].transactionMetadata).toBe("reason=carrier_unavailable;channel=sms");
    expect(carrier.fake.requests).toHaveLength(3);
    const ready = (await (await fetch(`${gw.httpUrl}/readyz`)).json()) as {
      circuits: Record<string, { state: string }>;
    };
    expect(ready.circuits.sms!.state).toBe("open");
    expect(ready.circuits.voice!.state).toBe("closed");
    // Voice is another 8x8 host and keeps working.
    carrier.fake.behave({ kind: "accept" });
    expect(
      (await postHook(gw.httpUrl, oktaHookBody({ deliveryChannel: "voice" }))).json.commands[0].value[0].status,
    ).toBe("SUCCESSFUL");

    clock += 5_001;
    const trial = await postHook(gw.httpUrl, oktaHookBody());
    expect(trial.json.commands[0].value[0].status).toBe("SUCCESSFUL");
    const after = (await (await fetch(`${gw.httpUrl}/readyz`)).json()) as {
      circuits: Record<string, { state: string }>;
    };
    expect(after.circuits.sms!.state).toBe("closed");
    expect(gw.logs.join("\n")).toContain("carrier sms circuit opened: failing fast");
  });
});

describe("overload: a cap on sends in flight with a clear answer", () => {
  it("refuses sends beyond MAX_CONCURRENT_SENDS at once, so Okta falls back instead of waiting", async () => {
    const gw = await gateway({ MAX_CONCURRENT_SENDS: "2" });
    carrier.fake.behave({ kind: "delay", ms: 400 });
    const answers = await Promise.all([1, 2, 3, 4].map(() => postHook(gw.httpUrl, oktaHookBody())));
    const statuses = answers.map((a) => a.json.commands[0].value[0].transactionMetadata.split(";")[0] ?? "");
    expect(statuses.filter((s: string) => s.startsWith("deliveryId="))).toHaveLength(2);
    expect(statuses.filter((s: string) => s === "reason=overloaded")).toHaveLength(2);
    expect(carrier.fake.requests).toHaveLength(2);

    const err = failure(
      await Promise.all(
        [1, 2, 3].map(() =>
          rpcClient(gw).sendOtp({ channel: Channel.SMS, phoneNumber: "+447911123456", code: "1234" }),
        ),
      ).catch((e: unknown) => e),
    );
    expect(err.code).toBe(Code.ResourceExhausted);
    expect(err.rawMessage).toBe("the gateway is overloaded; try again shortly");
  });
});

describe("RPC callers authenticate with named API keys", () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await gateway();
  });
  const req = { channel: Channel.SMS, phoneNumber: "+447911123456", code: "4321" };

  it.each([
    ["no key", undefined, "missing API key: send Authorization: Bearer <key>"],
    ["a wrong key", "test-rpc-api-key-012345678X", "invalid API key"],
  ])("refuses %s with Unauthenticated and sends nothing", async (_name, key, message) => {
    const client = key
      ? rpcClient(gw, key)
      : createClient(OtpService, createConnectTransport({ baseUrl: gw.httpUrl, httpVersion: "1.1" }));
    const err = failure(await client.sendOtp(req).catch((e: unknown) => e));
    expect(err.code).toBe(Code.Unauthenticated);
    expect(err.rawMessage).toBe(message);
    expect(carrier.fake.requests).toHaveLength(0);
  });

  it("puts the caller's name on logs, and keeps health endpoints open", async () => {
    await rpcClient(gw).sendOtp(req);
    expect(gw.logs.some((l) => l.includes('"caller":"test-client"') && l.includes("carrier accepted the send"))).toBe(
      true,
    );
    expect((await fetch(`${gw.httpUrl}/healthz`)).status).toBe(200);
    expect((await fetch(`${gw.httpUrl}/readyz`)).status).toBe(200);
  });

  it("closes OtpService to the network when live and no keys are configured", async () => {
    const closed = await gateway({ OTP_API_KEYS: "" });
    const err = failure(
      await rpcClient(closed)
        .sendOtp(req)
        .catch((e: unknown) => e),
    );
    expect(err.code).toBe(Code.Unauthenticated);
    expect(carrier.fake.requests).toHaveLength(0);
    // The in-process Okta hook still works.
    expect((await postHook(closed.httpUrl, oktaHookBody())).json.commands[0].value[0].status).toBe("SUCCESSFUL");
  });
});
