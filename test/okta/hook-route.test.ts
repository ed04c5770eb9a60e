import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FakeBehaviour } from "../support/fake-8x8.js";
import { oktaSecret, type TestGateway, useFakeCarrier } from "../support/gateway.js";
import { oktaHookBody, postHook } from "../support/okta.js";

const carrier = useFakeCarrier();
let gw: TestGateway;

beforeAll(async () => {
  // The failure table trips the carrier again and again; the breaker has its own tests.
  gw = await carrier.gateway({ CIRCUIT_FAILURE_THRESHOLD: "1000" });
});

describe("Okta telephony hook: happy paths", () => {
  it("sends an SMS with Okta's rendered template and answers SUCCESSFUL with the 8x8 umid", async () => {
    const body = oktaHookBody({ eventId: "evtSmsHappy01", otpCode: "482913" });
    const res = await postHook(gw.httpUrl, body);

    expect(carrier.fake.requests).toHaveLength(1);
    const sent = carrier.fake.requests[0]!;
    expect(sent.method).toBe("POST");
    expect(sent.path).toBe("/api/v1/subaccounts/acme_hq/messages");
    expect(sent.headers.authorization).toBe(`Bearer ${carrier.fake.apiKey}`);
    expect(sent.headers["content-type"]).toBe("application/json");
    expect(sent.body).toEqual({
      source: "AcmeCorp",
      destination: "+447911123456",
      text: "Your verification code is 482913",
      encoding: "AUTO",
      clientMessageId: "evtSmsHappy01",
      expiry: new Date(body.data.messageProfile.otpExpires).toISOString(),
      // Okta's view of the person's address, for 8x8's own per-IP limits.
      clientIp: body.data.context.request.ipAddress,
    });

    const umid = (carrier.fake.answers[0] as { umid: string }).umid;
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      commands: [
        {
          type: "com.okta.telephony.action",
          value: [
            { status: "SUCCESSFUL", provider: "8x8", transactionId: umid, transactionMetadata: expect.any(String) },
          ],
        },
      ],
    });
    const meta = res.json.commands[0].value[0].transactionMetadata as string;
    expect(meta).toMatch(/^deliveryId=[0-9a-f-]{36};channel=sms;latencyMs=\d+$/);
    expect(meta.length).toBeLessThan(100);
  });

  it.each(["sms", "Sms", " SMS "])("treats deliveryChannel %j as SMS", async (channel) => {
    const res = await postHook(gw.httpUrl, oktaHookBody({ deliveryChannel: channel }));
    expect(res.json.commands[0].value[0].status).toBe("SUCCESSFUL");
    expect(carrier.fake.requests[0]!.path).toBe("/api/v1/subaccounts/acme_hq/messages");
  });

  it("uses the gateway's template when msgTemplate is absent or lacks the code", async () => {
    await postHook(gw.httpUrl, oktaHookBody({ otpCode: "135790", msgTemplate: undefined }));
    // biome-ignore lint/suspicious/noTemplateCurlyInString: an unrendered template, as text
    await postHook(gw.httpUrl, oktaHookBody({ otpCode: "135790", msgTemplate: "Your code is ${code}" }));
    expect(carrier.fake.requests.map((r) => (r.body as { text: string }).text)).toEqual([
      "Your verification code is 135790",
      "Your verification code is 135790",
    ]);
  });

  it("accepts otpCode as a number", async () => {
    const res = await postHook(gw.httpUrl, oktaHookBody({ otpCode: 55501, msgTemplate: "Code: 55501" }));
    expect(res.json.commands[0].value[0].status).toBe("SUCCESSFUL");
    expect((carrier.fake.requests[0]!.body as { text: string }).text).toBe("Code: 55501");
  });

  it("places a voice call that reads the digits one by one, twice, in the locale's voice", async () => {
    const body = oktaHookBody({
      deliveryChannel: "Voice",
      otpCode: "482913",
      locale: "en_GB",
      phoneNumber: "+14155552671",
    });
    const res = await postHook(gw.httpUrl, body);

    expect(carrier.fake.requests).toHaveLength(1);
    const sent = carrier.fake.requests[0]!;
    expect(sent.path).toBe("/api/v1/subaccounts/acme_voice/callflows");
    expect(sent.headers.authorization).toBe(`Bearer ${carrier.fake.apiKey}`);
    expect(sent.body).toEqual({
      validUntil: new Date(body.data.messageProfile.otpExpires).toISOString(),
      callflow: [
        { action: "makeCall", params: { source: "+6531580000", destination: "+14155552671" } },
        {
          action: "say",
          params: {
            text: "Your verification code is: 4, 8, 2, 9, 1, 3. Again, your code is: 4, 8, 2, 9, 1, 3.",
            voiceProfile: "en-GB-Emma",
            repetition: 1,
            speed: 1,
          },
        },
        { action: "hangup" },
      ],
    });
    const sessionId = (carrier.fake.answers[0] as { sessionId: string }).sessionId;
    expect(res.status).toBe(200);
    expect(res.json.commands[0].value[0]).toEqual({
      status: "SUCCESSFUL",
      provider: "8x8",
      transactionId: sessionId,
      transactionMetadata: expect.stringMatching(/^deliveryId=[0-9a-f-]{36};channel=voice;latencyMs=\d+$/),
    });
  });

  it.each([
    ["CALL", "EN-US", "en-US-Jenny"],
    ["voice call", "en", "en-US-Jenny"],
    ["Voice", "fr-FR", "fr-FR-DeniseNeural"],
    ["VOICE", "en-ie", "en-IE-EmilyNeural"],
  ])("treats deliveryChannel %j as voice (locale %s → %s)", async (channel, locale, profile) => {
    const res = await postHook(gw.httpUrl, oktaHookBody({ deliveryChannel: channel, locale }));
    expect(res.json.commands[0].value[0].status).toBe("SUCCESSFUL");
    const sent = carrier.fake.requests[0]!;
    expect(sent.path).toBe("/api/v1/subaccounts/acme_voice/callflows");
    expect((sent.body as any).callflow[1].params.voiceProfile).toBe(profile);
  });
});

describe("Okta telephony hook: 8x8 failures answer FAILED so Okta falls back", () => {
  // The last column is how many calls 8x8 gets: one retry only where it provably took nothing.
  const cases: Array<[string, "SMS" | "Voice", FakeBehaviour, string, number]> = [
    [
      "SMS 200 with status REJECTED",
      "SMS",
      { kind: "sms-rejected", description: "Invalid Source value" },
      "carrier_refused",
      1,
    ],
    [
      "SMS 400 code 1002 (bad MSISDN)",
      "SMS",
      { kind: "sms-error", status: 400, code: 1002, message: "Invalid MSISDN format" },
      "destination_refused",
      1,
    ],
    [
      "SMS 401 code 1200 (bad API key)",
      "SMS",
      { kind: "sms-error", status: 401, code: 1200, message: "Request was not authenticated properly" },
      "gateway_error",
      1,
    ],
    [
      "SMS 429 with Retry-After",
      "SMS",
      {
        kind: "sms-error",
        status: 429,
        code: 429,
        message: "Quota exceeded. Please try again in 1 second(s).",
        headers: { "retry-after": "5" },
      },
      "rate_limited",
      1,
    ],
    [
      "SMS 500 code 2000",
      "SMS",
      { kind: "sms-error", status: 500, code: 2000, message: "Internal error" },
      "carrier_unavailable",
      1,
    ],
    [
      "HTML 503 from a load balancer",
      "SMS",
      {
        kind: "raw",
        status: 503,
        contentType: "text/html",
        body: "<html><body><h1>503 Service Unavailable</h1></body></html>",
      },
      "carrier_unavailable",
      2,
    ],
    [
      "200 with malformed JSON",
      "SMS",
      { kind: "raw", status: 200, contentType: "application/json", body: '{"umid": "abc", "status": ' },
      "outcome_unknown",
      1,
    ],
    [
      "200 with an empty body",
      "SMS",
      { kind: "raw", status: 200, contentType: "application/json", body: "" },
      "outcome_unknown",
      1,
    ],
    ["connection reset after the request was read", "SMS", { kind: "reset" }, "outcome_unknown", 1],
    [
      "voice NOT_CREATED -1017 (bad destination)",
      "Voice",
      { kind: "voice-error", status: 400, statusCode: -1017, statusMessage: "Invalid destination MSISDN" },
      "destination_refused",
      1,
    ],
    [
      "voice NOT_CREATED -1014 (caller id not allowed)",
      "Voice",
      { kind: "voice-error", status: 422, statusCode: -1014, statusMessage: "Source not allowed" },
      "gateway_error",
      1,
    ],
    [
      "voice NOT_CREATED -9999 (HTTP 500)",
      "Voice",
      { kind: "voice-error", status: 500, statusCode: -9999, statusMessage: "Unknown" },
      "carrier_unavailable",
      1,
    ],
    [
      "voice 200 without a session",
      "Voice",
      { kind: "raw", status: 200, contentType: "application/json", body: "{}" },
      "outcome_unknown",
      1,
    ],
  ];

  it.each(cases)("%s → FAILED (%s), %i call(s) to 8x8", async (_name, channel, behaviour, reason, calls) => {
    carrier.fake.behave(behaviour);
    const res = await postHook(gw.httpUrl, oktaHookBody({ deliveryChannel: channel }));
    expect(carrier.fake.requests).toHaveLength(calls);
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      commands: [
        {
          type: "com.okta.telephony.action",
          value: [
            {
              status: "FAILED",
              provider: "8x8",
              transactionMetadata: `reason=${reason};channel=${channel.toLowerCase()}`,
            },
          ],
        },
      ],
    });
  });
});

describe("Okta telephony hook: the budget holds when 8x8 does not answer", () => {
  let fast: TestGateway;
  beforeAll(async () => {
    fast = await carrier.gateway({ OKTA_HOOK_BUDGET_MS: "400" });
  });
  afterAll(async () => fast?.close());

  it.each([
    ["hangs before headers", { kind: "hang" } as FakeBehaviour],
    ["sends headers then stalls the body", { kind: "slow-body" } as FakeBehaviour],
    ["answers after the budget", { kind: "delay", ms: 3000 } as FakeBehaviour],
  ])("8x8 %s → FAILED with reason=timeout", async (_name, behaviour) => {
    carrier.fake.behave(behaviour);
    const res = await postHook(fast.httpUrl, oktaHookBody());
    expect(res.status).toBe(200);
    expect(res.json.commands[0].value[0]).toEqual({
      status: "FAILED",
      provider: "8x8",
      transactionMetadata: "reason=timeout;channel=sms",
    });
  });
});

describe("Okta telephony hook: authentication", () => {
  it.each([
    ["no auth header", {}],
    ["a wrong secret", { authorization: "okta-test-hook-Qw7Lp2Xv9RkX" }],
    ["a prefix of the secret", { authorization: oktaSecret.slice(0, -1) }],
    ["the secret in another header", { "x-okta-secret": oktaSecret }],
  ])("refuses %s with 401 and sends nothing", async (_name, headers) => {
    const res = await postHook(gw.httpUrl, oktaHookBody(), headers);
    expect(res.status).toBe(401);
    expect(res.json).toEqual({ error: { errorSummary: "Unauthorized" } });
    expect(carrier.fake.requests).toHaveLength(0);
  });

  it("reads the secret from the configured header name", async () => {
    const custom = await carrier.gateway({ OKTA_AUTH_HEADER: "Authentication" });
    try {
      expect((await postHook(custom.httpUrl, oktaHookBody(), { authorization: oktaSecret })).status).toBe(401);
      const ok = await postHook(custom.httpUrl, oktaHookBody(), { authentication: oktaSecret });
      expect(ok.json.commands[0].value[0].status).toBe("SUCCESSFUL");
      expect(carrier.fake.requests).toHaveLength(1);
    } finally {
      await custom.close();
    }
  });
});

describe("Okta telephony hook: requests it cannot understand", () => {
  it("answers 400 with Okta's error object for malformed JSON", async () => {
    const res = await postHook(gw.httpUrl, '{"data": {"messageProfile": ');
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ error: { errorSummary: "The telephony request could not be read" } });
    expect(carrier.fake.requests).toHaveLength(0);
  });

  it("names the missing messageProfile", async () => {
    const body = oktaHookBody() as any;
    delete body.data.messageProfile;
    const res = await postHook(gw.httpUrl, body);
    expect(res.status).toBe(400);
    expect(res.json.error.errorSummary).toBe("The telephony request is invalid");
    expect(res.json.error.errorCauses[0]).toMatchObject({ reason: "INVALID_REQUEST", location: "data.messageProfile" });
    expect(carrier.fake.requests).toHaveLength(0);
  });

  it.each([
    ["not a number", "call me maybe", "phone number is not a valid number"],
    ["too short", "+4479", "phone number is not a valid number"],
    [
      "no country code and no default region (Okta preview)",
      "9876543210",
      "phone number has no country code (+…) and no default region is configured",
    ],
    ["an unassigned range", "+447700900123", "phone number is not a valid number"],
  ])("refuses a phone number that is %s with 400", async (_name, phoneNumber, summary) => {
    const res = await postHook(gw.httpUrl, oktaHookBody({ phoneNumber }));
    expect(res.status).toBe(400);
    expect(res.json).toEqual({
      error: {
        errorSummary: "The phone number cannot receive a code",
        errorCauses: [
          {
            errorSummary: summary,
            reason: "INVALID_PHONE_NUMBER",
            locationType: "body",
            location: "data.messageProfile.phoneNumber",
          },
        ],
      },
    });
    expect(JSON.stringify(res.json)).not.toContain(phoneNumber.replace(/\D/g, "").slice(-6) || "x-never");
    expect(carrier.fake.requests).toHaveLength(0);
  });

  it.each([
    ["a US premium-rate number", "+19005550123", "SMS"],
    ["a UK premium-rate number", "+448712345678", "Voice"],
    ["a toll-free number", "+18005550199", "Voice"],
    ["a pager", "+447640123456", "SMS"],
    ["a UK landline, by SMS", "+441212345678", "SMS"],
  ])("refuses %s before any money is spent, with Okta's error object", async (_name, phoneNumber, deliveryChannel) => {
    const res = await postHook(gw.httpUrl, oktaHookBody({ phoneNumber, deliveryChannel }));
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      error: {
        errorSummary: "Verification codes cannot be sent to this phone number.",
        errorCauses: [
          {
            errorSummary: "Verification codes cannot be sent to this phone number.",
            reason: "DESTINATION_NOT_ALLOWED",
          },
        ],
      },
    });
    expect(carrier.fake.requests).toHaveLength(0);
  });

  it("calls a landline by voice", async () => {
    const res = await postHook(gw.httpUrl, oktaHookBody({ phoneNumber: "+441212345678", deliveryChannel: "Voice" }));
    expect(res.json.commands[0].value[0].status).toBe("SUCCESSFUL");
  });

  it("refuses an otpCode that is not 4-10 letters or digits", async () => {
    const res = await postHook(gw.httpUrl, oktaHookBody({ otpCode: "12" }));
    expect(res.status).toBe(400);
    expect(res.json.error.errorCauses[0].location).toBe("data.messageProfile.otpCode");
    expect(carrier.fake.requests).toHaveLength(0);
  });

  it("answers 415 for a body that is not JSON", async () => {
    const res = await fetch(`${gw.httpUrl}/okta/telephony`, {
      method: "POST",
      headers: { authorization: oktaSecret, "content-type": "text/plain" },
      body: "hello",
    });
    expect(res.status).toBe(415);
    expect(await res.json()).toEqual({
      error: { errorSummary: "The telephony request must be JSON (application/json)" },
    });
    expect(carrier.fake.requests).toHaveLength(0);
  });

  it("answers 413 for a body far larger than Okta sends", async () => {
    const body = oktaHookBody({ msgTemplate: `Your code is 482913 ${"x".repeat(20_000)}` });
    const res = await postHook(gw.httpUrl, body);
    expect(res.status).toBe(413);
    expect(res.json).toEqual({ error: { errorSummary: "The telephony request is too large" } });
    expect(carrier.fake.requests).toHaveLength(0);
  });
});

describe("Okta telephony hook: default phone region", () => {
  it("reads a number without + as a national number of DEFAULT_PHONE_REGION", async () => {
    const us = await carrier.gateway({ DEFAULT_PHONE_REGION: "us" });
    try {
      const res = await postHook(us.httpUrl, oktaHookBody({ phoneNumber: "(415) 555-2671" }));
      expect(res.json.commands[0].value[0].status).toBe("SUCCESSFUL");
      expect((carrier.fake.requests[0]!.body as { destination: string }).destination).toBe("+14155552671");
    } finally {
      await us.close();
    }
  });
});

describe("Okta telephony hook: logs", () => {
  it("never write the OTP or the full phone number", async () => {
    await postHook(gw.httpUrl, oktaHookBody({ otpCode: "918273", phoneNumber: "+447911123456" }));
    carrier.fake.behave({ kind: "sms-error", status: 400, code: 1002, message: "Invalid MSISDN +447911123456" });
    await postHook(gw.httpUrl, oktaHookBody({ otpCode: "918273", phoneNumber: "+447911123456" }));
    const text = gw.logs.join("\n");
    expect(text).toContain("+44******3456");
    expect(text).not.toContain("918273");
    expect(text).not.toContain("7911123456");
    expect(text).toContain('"eventId"');
  });
});

describe("Okta telephony hook: failures the gateway itself knows the cause of", () => {
  it("answers FAILED with reason=voice_not_configured when no voice caller id is set, and calls no one", async () => {
    const smsOnly = await carrier.gateway({ EIGHTBYEIGHT_VOICE_SOURCE: "" });
    try {
      const res = await postHook(smsOnly.httpUrl, oktaHookBody({ deliveryChannel: "Voice" }));
      expect(res.status).toBe(200);
      expect(res.json.commands[0].value[0]).toEqual({
        status: "FAILED",
        provider: "8x8",
        transactionMetadata: "reason=voice_not_configured;channel=voice",
      });
      expect(carrier.fake.requests).toHaveLength(0);
    } finally {
      await smsOnly.close();
    }
  });

  it("answers FAILED with reason=invalid_request for a rendered template longer than an SMS may be", async () => {
    const res = await postHook(
      gw.httpUrl,
      oktaHookBody({ otpCode: "482913", msgTemplate: `482913 ${"x".repeat(1500)}` }),
    );
    expect(res.status).toBe(200);
    expect(res.json.commands[0].value[0]).toEqual({
      status: "FAILED",
      provider: "8x8",
      transactionMetadata: "reason=invalid_request;channel=sms",
    });
    expect(carrier.fake.requests).toHaveLength(0);
  });
});

describe("Okta telephony hook: Okta's preview placeholder number", () => {
  it("never sends to 9876543210 from a Preview, even where it is a valid number (DEFAULT_PHONE_REGION=IN)", async () => {
    const india = await carrier.gateway({ DEFAULT_PHONE_REGION: "IN" });
    try {
      const res = await postHook(india.httpUrl, oktaHookBody({ phoneNumber: "9876543210", preview: true }));
      expect(res.status).toBe(400);
      expect(res.json.error.errorCauses[0]).toMatchObject({
        reason: "INVALID_PHONE_NUMBER",
        location: "data.messageProfile.phoneNumber",
        errorSummary: expect.stringContaining("edit phoneNumber in the preview request"),
      });
      expect(carrier.fake.requests).toHaveLength(0);
      // The same number outside a Preview is a real person's: it is sent.
      const real = await postHook(india.httpUrl, oktaHookBody({ phoneNumber: "9876543210" }));
      expect(real.json.commands[0].value[0].status).toBe("SUCCESSFUL");
      expect((carrier.fake.requests[0]!.body as { destination: string }).destination).toBe("+919876543210");
    } finally {
      await india.close();
    }
  });
});
