import { create, type MessageInitShape, toJson } from "@bufbuild/protobuf";
import { durationFromMs } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { beforeAll, describe, expect, it } from "vitest";
import { Channel, OtpService, RateLimitDetailSchema } from "../gen/otp/v1/otp_pb.js";
import {
  StartVerificationRequestSchema,
  StartVerificationResponseSchema,
  VerificationStatus,
  VerifyService,
} from "../gen/otp/v1/verify_pb.js";
import { createBearerInterceptor } from "../src/otp/client/bearer.js";
import { rpcApiKey, type TestGateway, useFakeCarrier } from "./support/gateway.js";
import { receiptEnv, sreKey } from "./support/receipts.js";
import { codeSentIn, verifyHashKey } from "./support/verify.js";

// VerifyService end to end: a real gateway, the fake 8x8 reading the code the gateway made.

const carrier = useFakeCarrier();
let gw: TestGateway;
let clock = Date.now();
beforeAll(async () => {
  gw = await carrier.gateway({ ...receiptEnv, VERIFY_HASH_KEY: verifyHashKey }, { now: () => clock });
});

const transport = (key = rpcApiKey) =>
  createConnectTransport({ baseUrl: gw.httpUrl, httpVersion: "1.1", interceptors: [createBearerInterceptor(key)] });
const verify = (key?: string) => createClient(VerifyService, transport(key));
let n = 0;
const start = (fields: Omit<MessageInitShape<typeof StartVerificationRequestSchema>, "$typeName"> = {}) => {
  n += 1;
  return verify().startVerification(
    create(StartVerificationRequestSchema, {
      phoneNumber: "+447400120123",
      channel: Channel.SMS,
      purpose: `login-${n}`,
      ...fields,
    }),
  );
};
const codeOf = (request = carrier.fake.requests.at(-1)!) => codeSentIn(request.body);
const refusal = async (call: Promise<unknown>) => {
  const err = await call.then(
    () => undefined,
    (e: unknown) => ConnectError.from(e),
  );
  if (!err) throw new Error("expected a refusal");
  return err;
};

describe("start and check", () => {
  it("sends a 6-digit code by SMS, approves it once, and refuses a replay", async () => {
    const started = await start();
    expect(started).toMatchObject({ status: VerificationStatus.PENDING, maskedPhoneNumber: "+44******0123", sends: 1 });
    const sms = carrier.fake.requests.at(-1)!.body as { text: string; destination: string };
    expect(sms.destination).toBe("+447400120123");
    const code = codeOf();
    expect(code).toMatch(/^\d{6}$/);
    expect(JSON.stringify(toJson(StartVerificationResponseSchema, started))).not.toContain(code);
    const checked = await verify().checkVerification({ verificationId: started.verificationId, code });
    expect(checked.status).toBe(VerificationStatus.APPROVED);
    const replay = await refusal(verify().checkVerification({ verificationId: started.verificationId, code }));
    expect(replay.code).toBe(Code.FailedPrecondition);
    // A new start for the same number and purpose is a new verification, with a new code.
    const next = await start({ purpose: `login-${n}` });
    expect(next.verificationId).not.toBe(started.verificationId);
    expect(next.sends).toBe(1);
    const delivery = await createClient(OtpService, transport()).getDelivery({
      lookup: { case: "deliveryId", value: started.deliveryId },
    });
    expect(delivery.delivery?.convertedAt).toBeDefined();
  });

  it("fails for good after 5 wrong codes, even when the 6th is right", async () => {
    const started = await start();
    const code = codeOf();
    const wrong = code === "000000" ? "111111" : "000000";
    const remaining: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await verify().checkVerification({ verificationId: started.verificationId, code: wrong });
      remaining.push(res.attemptsRemaining);
      expect(res.status).toBe(i < 4 ? VerificationStatus.PENDING : VerificationStatus.FAILED);
    }
    expect(remaining).toEqual([4, 3, 2, 1, 0]);
    const sixth = await verify().checkVerification({ verificationId: started.verificationId, code });
    expect(sixth.status).toBe(VerificationStatus.FAILED);
  });

  it("is EXPIRED once its time to live is over (injected clock)", async () => {
    const started = await start({ ttl: durationFromMs(60_000) });
    const code = codeOf();
    clock += 61_000;
    const res = await verify().checkVerification({ verificationId: started.verificationId, code });
    expect(res.status).toBe(VerificationStatus.EXPIRED);
    const got = await verify().getVerification({ verificationId: started.verificationId });
    expect(got.verification?.status).toBe(VerificationStatus.EXPIRED);
  });

  it("another caller's verification is NOT_FOUND; bad input is INVALID_ARGUMENT", async () => {
    const started = await start();
    const stranger = await refusal(
      createClient(VerifyService, transport(sreKey)).getVerification({
        verificationId: started.verificationId,
      }),
    );
    expect(stranger.code).toBe(Code.NotFound);
    expect((await refusal(start({ codeLength: 3 }))).code).toBe(Code.InvalidArgument);
    expect((await refusal(start({ ttl: durationFromMs(31 * 60_000) }))).code).toBe(Code.InvalidArgument);
    expect((await refusal(start({ phoneNumber: "12" }))).code).toBe(Code.InvalidArgument);
    const noCode = await refusal(verify().checkVerification({ verificationId: started.verificationId, code: "" }));
    expect(noCode.code).toBe(Code.InvalidArgument);
  });
});

describe("resend and fallback", () => {
  it("refuses a resend inside the interval, then sends the same code again after it", async () => {
    const first = await start({ purpose: "resend-1" });
    const code = codeOf();
    const early = await refusal(start({ purpose: "resend-1" }));
    expect(early.code).toBe(Code.ResourceExhausted);
    expect(early.findDetails(RateLimitDetailSchema)[0]).toMatchObject({ limit: "verify_resend" });
    clock += 30_000;
    const again = await start({ purpose: "resend-1" });
    expect(again).toMatchObject({ verificationId: first.verificationId, sends: 2 });
    expect(codeOf()).toBe(code);
    expect((await verify().checkVerification({ verificationId: first.verificationId, code })).status).toBe(
      VerificationStatus.APPROVED,
    );
  });

  it("with fallback_channels [VOICE], the resend is a call reading the same code", async () => {
    const first = await start({ purpose: "fallback-1", fallbackChannels: [Channel.VOICE] });
    const code = codeOf();
    clock += 30_000;
    const second = await start({ purpose: "fallback-1", fallbackChannels: [Channel.VOICE] });
    expect(second.channel).toBe(Channel.VOICE);
    const call = carrier.fake.requests.at(-1)!;
    expect(call.path).toMatch(/callflows$/);
    expect(codeOf(call)).toBe(code);
    const got = await verify().getVerification({ verificationId: first.verificationId });
    expect(got.verification).toMatchObject({ channels: [Channel.SMS, Channel.VOICE], sends: 2 });
  });

  it("stops at VERIFY_MAX_SENDS", async () => {
    await start({ purpose: "max-1" });
    for (let i = 1; i < 5; i++) {
      clock += 30_000;
      await start({ purpose: "max-1" });
    }
    clock += 30_000;
    const sixth = await refusal(start({ purpose: "max-1" }));
    expect(sixth.findDetails(RateLimitDetailSchema)[0]).toMatchObject({ limit: "verify_sends" });
  });

  it("a repeated start with the same idempotency key sends nothing new", async () => {
    const first = await start({ purpose: "idem-1", idempotencyKey: "start-1" });
    const sent = carrier.fake.requests.length;
    const again = await start({ purpose: "idem-1", idempotencyKey: "start-1" });
    expect(again.verificationId).toBe(first.verificationId);
    expect(carrier.fake.requests).toHaveLength(sent);
  });

  it("cancel ends it: its code is no longer accepted", async () => {
    const started = await start();
    const code = codeOf();
    expect((await verify().cancelVerification({ verificationId: started.verificationId })).status).toBe(
      VerificationStatus.CANCELED,
    );
    expect((await verify().checkVerification({ verificationId: started.verificationId, code })).status).toBe(
      VerificationStatus.CANCELED,
    );
  });
});

describe("limits of their own", () => {
  it("refuses checks past VERIFY_CHECKS_PER_CALLER, apart from the send limits", async () => {
    const strict = await carrier.gateway({
      ...receiptEnv,
      VERIFY_HASH_KEY: verifyHashKey,
      VERIFY_CHECKS_PER_CALLER: "3/1m",
    });
    const client = createClient(
      VerifyService,
      createConnectTransport({
        baseUrl: strict.httpUrl,
        httpVersion: "1.1",
        interceptors: [createBearerInterceptor(rpcApiKey)],
      }),
    );
    const started = await client.startVerification({ phoneNumber: "+447400120123", channel: Channel.SMS });
    for (let i = 0; i < 3; i++)
      await client.checkVerification({ verificationId: started.verificationId, code: "0000001" });
    const fourth = await refusal(client.checkVerification({ verificationId: started.verificationId, code: "0000001" }));
    expect(fourth.code).toBe(Code.ResourceExhausted);
    expect(fourth.findDetails(RateLimitDetailSchema)[0]).toMatchObject({ limit: "verify_checks" });
    // Sends are counted apart: a new start still goes out.
    await client.startVerification({ phoneNumber: "+447400120124", channel: Channel.SMS });
  });
});

describe("secrecy", () => {
  it("no code, hash or full number in any log line", async () => {
    await start({ purpose: "secrecy-1" });
    const code = codeOf();
    const logs = gw.logs.join("\n");
    expect(logs).toContain("verification started");
    expect(logs).not.toContain("447400120123");
    expect(logs).not.toMatch(new RegExp(`\\b${code}\\b`));
    expect(logs).not.toContain(verifyHashKey);
  });

  it("without VERIFY_HASH_KEY a live gateway refuses with FAILED_PRECONDITION", async () => {
    const bare = await carrier.gateway(receiptEnv);
    const client = createClient(
      VerifyService,
      createConnectTransport({
        baseUrl: bare.httpUrl,
        httpVersion: "1.1",
        interceptors: [createBearerInterceptor(rpcApiKey)],
      }),
    );
    const err = await refusal(client.startVerification({ phoneNumber: "+447400120123", channel: Channel.SMS }));
    expect(err.code).toBe(Code.FailedPrecondition);
    expect(bare.logs.join("\n")).toContain("VERIFY_HASH_KEY is not set");
  });
});
