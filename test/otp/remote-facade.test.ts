import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { facadeApiKey, startTestGateway, type TestGateway, useFakeCarrier } from "../support/gateway.js";
import { oktaHookBody, postHook } from "../support/okta.js";

// The same code deployed twice: a service-only gateway that talks to 8x8, and a façade-only
// gateway that takes Okta's hook and calls the service over the network.
const carrier = useFakeCarrier();
let service: TestGateway;

beforeAll(async () => {
  service = await carrier.gateway({ GATEWAY_ROLE: "service" });
});

describe.each([
  ["connect", "HTTP/1.1 port", (s: TestGateway) => s.httpUrl],
  ["grpc", "HTTP/2 port", (s: TestGateway) => s.grpcUrl],
  ["grpc-web", "HTTP/1.1 port", (s: TestGateway) => s.httpUrl],
] as const)("façade → OtpService over %s (%s)", (protocol, _port, url) => {
  let facade: TestGateway;
  beforeAll(async () => {
    facade = await startTestGateway({
      OTP_SERVICE_URL: url(service),
      OTP_SERVICE_PROTOCOL: protocol,
      OTP_SERVICE_API_KEY: facadeApiKey,
    });
  });
  afterAll(async () => facade?.close());

  it("delivers the hook's SMS through the remote service", async () => {
    const res = await postHook(facade.httpUrl, oktaHookBody({ eventId: `evtRemote${protocol}`, otpCode: "314159" }));
    expect(carrier.fake.requests).toHaveLength(1);
    expect(carrier.fake.requests[0]!.body).toMatchObject({
      destination: "+447911123456",
      text: "Your verification code is 314159",
      clientMessageId: `evtRemote${protocol}`,
    });
    expect(res.json.commands[0].value[0]).toMatchObject({
      status: "SUCCESSFUL",
      provider: "8x8",
      transactionId: (carrier.fake.answers[0] as { umid: string }).umid,
    });
  });

  it("reports the carrier's failure from the remote service as FAILED", async () => {
    carrier.fake.behave({ kind: "raw", status: 503, contentType: "text/html", body: "<html>down</html>" });
    const res = await postHook(facade.httpUrl, oktaHookBody({ deliveryChannel: "voice" }));
    expect(res.json.commands[0].value[0]).toEqual({
      status: "FAILED",
      provider: "8x8",
      transactionMetadata: "reason=carrier_unavailable;channel=voice",
    });
  });
});

describe("façade-only gateway", () => {
  it("serves no OtpService and no sandbox itself, and says so in /readyz", async () => {
    const facade = await startTestGateway({ OTP_SERVICE_URL: service.httpUrl });
    try {
      const ready = await fetch(`${facade.httpUrl}/readyz`);
      expect(await ready.json()).toEqual({ status: "ready", role: "facade", otpService: { protocol: "connect" } });
      const rpc = await fetch(`${facade.httpUrl}/otp.v1.OtpService/SendOtp`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{}",
      });
      expect(rpc.status).toBe(404);
      expect((await fetch(`${facade.httpUrl}/sandbox/messages`)).status).toBe(404);
      expect(facade.running.grpcPort).toBeUndefined();
    } finally {
      await facade.close();
    }
  });

  it("answers FAILED (gateway_unavailable) when the remote service is down", async () => {
    const down = await startTestGateway({ GATEWAY_ROLE: "service" });
    const url = down.httpUrl;
    await down.close();
    const facade = await startTestGateway({ OTP_SERVICE_URL: url });
    try {
      const res = await postHook(facade.httpUrl, oktaHookBody());
      expect(res.status).toBe(200);
      expect(res.json.commands[0].value[0]).toEqual({
        status: "FAILED",
        provider: "otp-gateway",
        transactionMetadata: "reason=gateway_unavailable;channel=sms",
      });
    } finally {
      await facade.close();
    }
  });
});
