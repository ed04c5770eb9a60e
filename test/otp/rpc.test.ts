import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { type Client, Code, ConnectError, createClient, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CarrierErrorDetailSchema,
  Channel,
  DeliveryStatus,
  OtpService,
  PolicyDetailSchema,
  SendOtpRequestSchema,
} from "../../gen/otp/v1/otp_pb.js";
import { createBearerInterceptor } from "../../src/otp/client/bearer.js";
import { rpcApiKey, type TestGateway, useFakeCarrier } from "../support/gateway.js";
import { grpcJsOtpClient } from "../support/grpc-js.js";

const carrier = useFakeCarrier();
let gw: TestGateway;

beforeAll(async () => {
  gw = await carrier.gateway({ CIRCUIT_FAILURE_THRESHOLD: "1000" });
});

let keys = 0;
/** A fresh request each time: a repeated idempotency key would replay the first answer. */
const sms = (change: object = {}) => ({
  channel: Channel.SMS,
  phoneNumber: "+447911123456",
  code: "246810",
  idempotencyKey: `rpc-key-${++keys}`,
  ...change,
});

const interceptors = [createBearerInterceptor(rpcApiKey)];
const transports: Array<[string, () => Transport]> = [
  [
    "Connect over HTTP/1.1 (HTTP_PORT)",
    () => createConnectTransport({ baseUrl: gw.httpUrl, httpVersion: "1.1", interceptors }),
  ],
  [
    "Connect over HTTP/2 (GRPC_PORT)",
    () => createConnectTransport({ baseUrl: gw.grpcUrl, httpVersion: "2", interceptors }),
  ],
  ["gRPC over HTTP/2 (GRPC_PORT)", () => createGrpcTransport({ baseUrl: gw.grpcUrl, interceptors })],
  [
    "gRPC-Web over HTTP/1.1 (HTTP_PORT)",
    () => createGrpcWebTransport({ baseUrl: gw.httpUrl, httpVersion: "1.1", interceptors }),
  ],
];

describe.each(transports)("OtpService.SendOtp via %s", (_name, makeTransport) => {
  let client: Client<typeof OtpService>;
  beforeAll(() => {
    client = createClient(OtpService, makeTransport());
  });

  it("sends an SMS and returns the delivery", async () => {
    const res = await client.sendOtp(sms({ idempotencyKey: "" }));
    expect(carrier.fake.requests).toHaveLength(1);
    expect(carrier.fake.requests[0]!.body).toEqual({
      source: "AcmeCorp",
      destination: "+447911123456",
      text: "Your verification code is 246810",
      encoding: "AUTO",
      clientMessageId: res.deliveryId,
    });
    expect(res.provider).toBe("8x8");
    expect(res.providerMessageId).toBe((carrier.fake.answers[0] as { umid: string }).umid);
    expect(res.status).toBe(DeliveryStatus.ACCEPTED);
    expect(res.channel).toBe(Channel.SMS);
    expect(res.maskedPhoneNumber).toBe("+44******3456");
    expect(res.deliveryId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("places a voice call", async () => {
    const res = await client.sendOtp(sms({ channel: Channel.VOICE, locale: "en-US" }));
    expect(carrier.fake.requests[0]!.path).toBe("/api/v1/subaccounts/acme_voice/callflows");
    expect(res.providerMessageId).toBe((carrier.fake.answers[0] as { sessionId: string }).sessionId);
    expect(res.channel).toBe(Channel.VOICE);
  });

  it("refuses a bad number with InvalidArgument and calls no carrier", async () => {
    const err = await client.sendOtp(sms({ phoneNumber: "+1555" })).catch((e: unknown) => ConnectError.from(e));
    expect(err).toBeInstanceOf(ConnectError);
    expect((err as ConnectError).code).toBe(Code.InvalidArgument);
    expect((err as ConnectError).rawMessage).toBe("phone_number: phone number is not a valid number");
    expect(carrier.fake.requests).toHaveLength(0);
  });

  it("maps an 8x8 outage to Unavailable with the carrier's status in the details", async () => {
    carrier.fake.behave({ kind: "raw", status: 503, contentType: "text/html", body: "<html>503</html>" });
    const err = ConnectError.from(await client.sendOtp(sms()).catch((e: unknown) => e));
    expect(err.code).toBe(Code.Unavailable);
    expect(err.rawMessage).toBe("the carrier is unavailable");
    const [detail] = err.findDetails(CarrierErrorDetailSchema);
    expect(detail).toMatchObject({ provider: "8x8", httpStatus: 503, providerCode: "" });
  });

  it("maps an 8x8 refusal to FailedPrecondition, the 8x8 code kept in the details", async () => {
    carrier.fake.behave({ kind: "sms-error", status: 400, code: 1005, message: "Invalid source" });
    const err = ConnectError.from(await client.sendOtp(sms()).catch((e: unknown) => e));
    // 1005 is a sender-id (account) problem: Internal, since the caller cannot fix it.
    expect(err.code).toBe(Code.Internal);
    expect(err.findDetails(CarrierErrorDetailSchema)[0]).toMatchObject({ providerCode: "1005", httpStatus: 400 });

    carrier.fake.behave({ kind: "sms-rejected", description: "Text value is missing" });
    const rejected = ConnectError.from(await client.sendOtp(sms()).catch((e: unknown) => e));
    expect(rejected.code).toBe(Code.FailedPrecondition);
    expect(rejected.rawMessage).toBe("the carrier refused the message");
    expect(rejected.findDetails(CarrierErrorDetailSchema)[0]).toMatchObject({ providerCode: "REJECTED" });
  });

  it("maps 8x8's 429 to ResourceExhausted with retry_after_ms", async () => {
    carrier.fake.behave({
      kind: "sms-error",
      status: 429,
      code: 429,
      message: "Quota exceeded",
      headers: { "retry-after": "2" },
    });
    const err = ConnectError.from(await client.sendOtp(sms()).catch((e: unknown) => e));
    expect(err.code).toBe(Code.ResourceExhausted);
    expect(err.findDetails(CarrierErrorDetailSchema)[0]).toMatchObject({
      retryAfterMs: 2000,
      httpStatus: 429,
      providerCode: "429",
    });
  });

  it("bounds the carrier call by the caller's deadline", async () => {
    carrier.fake.behave({ kind: "hang" });
    const err = ConnectError.from(await client.sendOtp(sms(), { timeoutMs: 300 }).catch((e: unknown) => e));
    expect(err.code).toBe(Code.DeadlineExceeded);
    expect(carrier.fake.requests).toHaveLength(1);
  });
});

describe("OtpService request validation", () => {
  let client: Client<typeof OtpService>;
  beforeAll(() => {
    client = createClient(
      OtpService,
      createConnectTransport({ baseUrl: gw.httpUrl, httpVersion: "1.1", interceptors }),
    );
  });

  it.each([
    ["no channel", { channel: Channel.UNSPECIFIED }, "channel must be CHANNEL_SMS or CHANNEL_VOICE"],
    ["a short code", { code: "12" }, "code must be 4 to 10 letters or digits"],
    ["a code with spaces", { code: "12 34" }, "code must be 4 to 10 letters or digits"],
    ["text without the code", { text: "Hello there" }, "text must contain the code (or a {code} placeholder)"],
    [
      "a bad idempotency key",
      { idempotencyKey: "has spaces in it" },
      "idempotency_key must be at most 128 characters of A-Z a-z 0-9 . _ : -",
    ],
    [
      "an expired code",
      { expiresAt: timestampFromMs(Date.now() - 1000) },
      "expires_at is in the past: the code has already expired",
    ],
    [
      "a national number without region",
      { phoneNumber: "07911 123456" },
      "phone_number: phone number has no country code (+…) and no default region is configured",
    ],
    [
      "an unknown region",
      { phoneNumber: "07911 123456", defaultRegion: "XX" },
      "default_region must be an ISO 3166-1 alpha-2 region such as US",
    ],
  ])("refuses %s with InvalidArgument", async (_name, change, message) => {
    const err = ConnectError.from(await client.sendOtp(sms({ ...change })).catch((e: unknown) => e));
    expect(err.code).toBe(Code.InvalidArgument);
    expect(err.rawMessage).toBe(message);
    expect(err.rawMessage).not.toContain("7911");
    expect(carrier.fake.requests).toHaveLength(0);
  });

  it("refuses a premium-rate number with PermissionDenied and a PolicyDetail, sending nothing", async () => {
    const err = ConnectError.from(await client.sendOtp(sms({ phoneNumber: "+448712345678" })).catch((e: unknown) => e));
    expect(err.code).toBe(Code.PermissionDenied);
    expect(err.rawMessage).toBe("the destination is not allowed by the gateway's policy");
    expect(err.findDetails(PolicyDetailSchema)[0]?.reason).toBe("number_type_not_allowed");
    expect(carrier.fake.requests).toHaveLength(0);
  });

  it("reads a national number with the request's default_region and fills a {code} placeholder", async () => {
    await client.sendOtp(sms({ phoneNumber: "07911 123456", defaultRegion: "gb", text: "Acme code: {code}" }));
    expect(carrier.fake.requests[0]!.body).toMatchObject({ destination: "+447911123456", text: "Acme code: 246810" });
  });

  it("hashes an idempotency key longer than 8x8's 50-character clientMessageId", async () => {
    await client.sendOtp(sms({ idempotencyKey: "k".repeat(100) }));
    const id = (carrier.fake.requests[0]!.body as { clientMessageId: string }).clientMessageId;
    expect(id.length).toBeLessThanOrEqual(50);
    expect(id).not.toContain("kkkk");
  });

  it("passes expires_at to 8x8 as the SMS expiry", async () => {
    const expires = Date.now() + 120_000;
    await client.sendOtp(create(SendOtpRequestSchema, sms({ expiresAt: timestampFromMs(expires) })));
    expect((carrier.fake.requests[0]!.body as { expiry: string }).expiry).toBe(new Date(expires).toISOString());
  });
});

describe("OtpService from a gRPC client no one here wrote (@grpc/grpc-js + the .proto)", () => {
  type SendOtpCallback = (err: grpc.ServiceError | null, res: any) => void;
  let client: grpc.Client & {
    SendOtp(req: object, metadata: grpc.Metadata, options: grpc.CallOptions, cb: SendOtpCallback): void;
  };
  beforeAll(() => {
    client = grpcJsOtpClient(gw.grpcUrl) as typeof client;
  });
  afterAll(() => client?.close());

  const call = (req: object, deadlineMs = 5000, key = rpcApiKey) =>
    new Promise<{ err: grpc.ServiceError | null; res: any }>((resolve) => {
      const metadata = new grpc.Metadata();
      metadata.set("authorization", `Bearer ${key}`);
      client.SendOtp(req, metadata, { deadline: Date.now() + deadlineMs }, (err: grpc.ServiceError | null, res: any) =>
        resolve({ err, res }),
      );
    });

  it("sends an SMS", async () => {
    const { err, res } = await call({ channel: "CHANNEL_SMS", phone_number: "+447911123456", code: "975310" });
    expect(err).toBeNull();
    expect(res).toMatchObject({
      provider: "8x8",
      status: "DELIVERY_STATUS_ACCEPTED",
      channel: "CHANNEL_SMS",
      masked_phone_number: "+44******3456",
    });
    expect(res.provider_message_id).toBe((carrier.fake.answers[0] as { umid: string }).umid);
    expect((carrier.fake.requests[0]!.body as { text: string }).text).toBe("Your verification code is 975310");
  });

  it("gets UNAUTHENTICATED, not INTERNAL, for a wrong API key (a trailers-only answer)", async () => {
    const { err } = await call(
      { channel: "CHANNEL_SMS", phone_number: "+447911123456", code: "975310" },
      5000,
      "wrong-key-0000000000000",
    );
    expect(err?.code).toBe(grpc.status.UNAUTHENTICATED);
    expect(err?.details).toBe("invalid API key");
    expect(carrier.fake.requests).toHaveLength(0);
  });

  it("gets INVALID_ARGUMENT for a bad number and UNAVAILABLE with status details for an outage", async () => {
    const bad = await call({ channel: "CHANNEL_SMS", phone_number: "12", code: "975310" });
    expect(bad.err?.code).toBe(grpc.status.INVALID_ARGUMENT);
    // Read as written: Connect's percent-encoding of ":" and "+" must not reach grpc-js users.
    expect(bad.err?.details).toBe(
      "phone_number: phone number has no country code (+…) and no default region is configured",
    );
    expect(carrier.fake.requests).toHaveLength(0);

    carrier.fake.behave({ kind: "raw", status: 503, contentType: "text/html", body: "<html>503</html>" });
    const down = await call({ channel: "CHANNEL_VOICE", phone_number: "+447911123456", code: "975310" });
    expect(down.err?.code).toBe(grpc.status.UNAVAILABLE);
    expect(down.err?.details).toBe("the carrier is unavailable");
    expect(down.err?.metadata.get("grpc-status-details-bin")).toHaveLength(1);
  });

  it("is served with a deadline of 700 hours (clamped, not overflowing a timer)", async () => {
    const { err, res } = await call(
      { channel: "CHANNEL_SMS", phone_number: "+447911123456", code: "975310" },
      700 * 3_600_000,
    );
    expect(err).toBeNull();
    expect(res.status).toBe("DELIVERY_STATUS_ACCEPTED");
  });

  it("gets DEADLINE_EXCEEDED when its deadline passes while 8x8 hangs", async () => {
    carrier.fake.behave({ kind: "hang" });
    const { err } = await call({ channel: "CHANNEL_SMS", phone_number: "+447911123456", code: "975310" }, 300);
    expect(err?.code).toBe(grpc.status.DEADLINE_EXCEEDED);
  });
});
