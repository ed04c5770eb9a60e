import { type Client, Code, ConnectError } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { Channel, type OtpService, PolicyDetailSchema, RateLimitDetailSchema } from "../gen/otp/v1/otp_pb.js";
import { loadConfig } from "../src/config/index.js";
import { parsePhoneNumber } from "../src/phone.js";
import { checkDestination } from "../src/policy/destination-policy.js";
import { parseLimit } from "../src/policy/limits.js";
import { rpcClient, useFakeCarrier } from "./support/gateway.js";
import { oktaHookBody, postHook } from "./support/okta.js";

const carrier = useFakeCarrier();
const gateway = carrier.gateway;

const send = (client: Client<typeof OtpService>, change: object = {}) =>
  client.sendOtp({ channel: Channel.SMS, phoneNumber: "+447400123456", code: "2468", ...change }).then(
    () => undefined,
    (e: unknown) => ConnectError.from(e),
  );

describe("destination policy", () => {
  it("blocks regions by ISO code, telling +44 Guernsey (GG) from +44 Great Britain (GB)", async () => {
    const gw = await gateway({ BLOCKED_COUNTRIES: "GG" });
    const client = rpcClient(gw);
    const err = await send(client, { phoneNumber: "+447911123456" });
    expect(err?.code).toBe(Code.PermissionDenied);
    expect(err?.findDetails(PolicyDetailSchema)[0]?.reason).toBe("country_blocked");
    expect(await send(client, { phoneNumber: "+447400123456" })).toBeUndefined();
    expect(carrier.fake.requests).toHaveLength(1);
  });

  it("applies per-channel allow-lists, which override the shared ones", async () => {
    const gw = await gateway({ ALLOWED_COUNTRIES: "GB,US,FR", SMS_ALLOWED_COUNTRIES: "GB,US" });
    const client = rpcClient(gw);
    expect((await send(client, { phoneNumber: "+33612345678" }))?.findDetails(PolicyDetailSchema)[0]?.reason).toBe(
      "country_not_allowed",
    );
    expect(await send(client, { phoneNumber: "+33612345678", channel: Channel.VOICE })).toBeUndefined();
    expect((await send(client, { phoneNumber: "+4915112345678", channel: Channel.VOICE }))?.code).toBe(
      Code.PermissionDenied,
    );
    expect(carrier.fake.requests).toHaveLength(1);
  });

  it("lets an operator change the allowed line types", async () => {
    const gw = await gateway({ VOICE_NUMBER_TYPES: "MOBILE,TOLL_FREE" });
    const client = rpcClient(gw);
    expect(await send(client, { phoneNumber: "+18005550199", channel: Channel.VOICE })).toBeUndefined();
    expect(
      (await send(client, { phoneNumber: "+441212345678", channel: Channel.VOICE }))?.findDetails(PolicyDetailSchema)[0]
        ?.reason,
    ).toBe("number_type_not_allowed");
  });

  it("counts refusals in /metrics by channel and reason, and logs them with the masked number", async () => {
    const gw = await gateway({ BLOCKED_COUNTRIES: "FR" });
    await send(rpcClient(gw), { phoneNumber: "+33612345678" });
    await send(rpcClient(gw), { phoneNumber: "+447400123456" });
    const metrics = await (await fetch(`${gw.httpUrl}/metrics`)).text();
    expect(metrics).toContain('otp_send_outcomes_total{channel="sms",outcome="policy_country_blocked",country="FR"} 1');
    expect(metrics).toContain('otp_send_outcomes_total{channel="sms",outcome="accepted",country="GB"} 1');
    expect(metrics).not.toContain("612345678");
    expect(gw.logs.some((l) => l.includes("destination refused by policy") && l.includes("+33*****5678"))).toBe(true);
  });
});

describe("send limits", () => {
  it("refuses the 6th code to one number within 10 minutes by default, with the wait in the detail", async () => {
    let clock = Date.parse("2026-11-22T09:00:00Z");
    const gw = await gateway({ RATE_LIMIT_PER_PHONE: "5/10m" }, { now: () => clock });
    const client = rpcClient(gw);
    for (let i = 0; i < 5; i++) {
      expect(await send(client)).toBeUndefined();
      clock += 60_000;
    }
    const err = await send(client);
    expect(err?.code).toBe(Code.ResourceExhausted);
    expect(err?.rawMessage).toBe("too many codes sent; try again later");
    const detail = err?.findDetails(RateLimitDetailSchema)[0];
    expect(detail?.limit).toBe("phone");
    // The first send leaves the window in 5 minutes; memory counts in 1/16ths of the window,
    // so the wait it gives can be up to one of those (37.5 s) longer, never shorter.
    expect(detail?.retryAfterMs).toBeGreaterThanOrEqual(5 * 60_000);
    expect(detail?.retryAfterMs).toBeLessThanOrEqual(5 * 60_000 + 37_500);
    // Another number is not affected.
    expect(await send(client, { phoneNumber: "+447400123457" })).toBeUndefined();
    expect(carrier.fake.requests).toHaveLength(6);
  });

  it("is a sliding window: the edge of a window never lets twice the limit through", async () => {
    let clock = Date.parse("2026-11-22T09:00:00Z");
    const gw = await gateway({ RATE_LIMIT_PER_PHONE: "3/10m" }, { now: () => clock });
    const client = rpcClient(gw);
    // Three sends late in one ten-minute stretch…
    clock += 9 * 60_000;
    for (let i = 0; i < 3; i++) expect(await send(client)).toBeUndefined();
    // …and just after a fixed window would have reset, still nothing until ten minutes passed.
    clock += 2 * 60_000;
    expect((await send(client))?.code).toBe(Code.ResourceExhausted);
    // Ten minutes after the first three (and up to a sixteenth of the window more in memory).
    clock += 8 * 60_000 + 37_500;
    expect(await send(client)).toBeUndefined();
    expect(carrier.fake.requests).toHaveLength(4);
  });

  it("is stricter for pre-enrollment, where fraud concentrates", async () => {
    const gw = await gateway({ RATE_LIMIT_PER_PHONE: "5/10m", RATE_LIMIT_PER_PHONE_ENROLLMENT: "2/1h" });
    const client = rpcClient(gw);
    const enroll = { purpose: "com.okta.user.telephony.pre-enrollment" };
    expect(await send(client, enroll)).toBeUndefined();
    expect(await send(client, enroll)).toBeUndefined();
    expect((await send(client, enroll))?.findDetails(RateLimitDetailSchema)[0]?.limit).toBe("enrollment_phone");
    expect(await send(client, { purpose: "com.okta.user.telephony.mfa-verification" })).toBeUndefined();
  });

  it("limits per Okta user, per country and globally", async () => {
    const gw = await gateway({
      RATE_LIMIT_PER_USER: "2/1h",
      RATE_LIMIT_PER_COUNTRY: "3/1m",
      RATE_LIMIT_GLOBAL: "4/1m",
    });
    const client = rpcClient(gw);
    const limitOf = async (change: object) =>
      (await send(client, change))?.findDetails(RateLimitDetailSchema)[0]?.limit;
    expect(await limitOf({ userId: "00uA", phoneNumber: "+447400123401" })).toBeUndefined();
    expect(await limitOf({ userId: "00uA", phoneNumber: "+447400123402" })).toBeUndefined();
    expect(await limitOf({ userId: "00uA", phoneNumber: "+447400123403" })).toBe("user");
    expect(await limitOf({ userId: "00uB", phoneNumber: "+447400123404" })).toBeUndefined();
    expect(await limitOf({ userId: "00uC", phoneNumber: "+447400123405" })).toBe("country");
    expect(await limitOf({ userId: "00uC", phoneNumber: "+14155552671" })).toBeUndefined();
    expect(await limitOf({ userId: "00uD", phoneNumber: "+14155552672" })).toBe("global");
    expect(carrier.fake.requests).toHaveLength(4);
  });

  it("answers a duplicate of a refused send the same way, and a replayed success without using a slot", async () => {
    const gw = await gateway({ RATE_LIMIT_PER_PHONE: "1/10m" });
    const body = oktaHookBody({ eventId: "evtLimitReplay", phoneNumber: "+447400123456" });
    expect((await postHook(gw.httpUrl, body)).json.commands[0].value[0].status).toBe("SUCCESSFUL");
    expect((await postHook(gw.httpUrl, body)).json.commands[0].value[0].status).toBe("SUCCESSFUL");
    expect(carrier.fake.requests).toHaveLength(1);
  });
});

describe("what Okta is told when a limit refuses a send (OKTA_REFUSED_ANSWER)", () => {
  const refusedOnce = async (answer: string) => {
    const gw = await gateway({ RATE_LIMIT_PER_PHONE: "1/10m", OKTA_REFUSED_ANSWER: answer });
    await postHook(gw.httpUrl, oktaHookBody({ phoneNumber: "+447400123456" }));
    carrier.fake.requests.length = 0;
    return postHook(gw.httpUrl, oktaHookBody({ phoneNumber: "+447400123456" }));
  };

  it("error (default): Okta's error object with text fit for the user", async () => {
    const res = await refusedOnce("error");
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      error: {
        errorSummary: "Too many verification codes were requested. Please wait and try again later.",
        errorCauses: [
          {
            errorSummary: "Too many verification codes were requested. Please wait and try again later.",
            reason: "RATE_LIMITED",
          },
        ],
      },
    });
    expect(carrier.fake.requests).toHaveLength(0);
  });

  it("failed: FAILED with the limit named, so Okta falls back", async () => {
    const res = await refusedOnce("failed");
    expect(res.json.commands[0].value[0]).toEqual({
      status: "FAILED",
      provider: "8x8",
      transactionMetadata: "reason=rate_limited_phone;channel=sms",
    });
    expect(carrier.fake.requests).toHaveLength(0);
  });

  it("suppress: SUCCESSFUL without a transaction, so nobody sends", async () => {
    const res = await refusedOnce("suppress");
    expect(res.json.commands[0].value[0]).toEqual({
      status: "SUCCESSFUL",
      provider: "8x8",
      transactionMetadata: "suppressed=rate_limited_phone;channel=sms",
    });
    expect(carrier.fake.requests).toHaveLength(0);
  });
});

describe("limit settings", () => {
  it("parses limit settings", () => {
    expect(parseLimit("5/10m")).toEqual({ limit: 5, windowMs: 600_000 });
    expect(parseLimit("100 / 1h")).toEqual({ limit: 100, windowMs: 3_600_000 });
    expect(parseLimit("20/s")).toEqual({ limit: 20, windowMs: 1000 });
    expect(parseLimit("off")).toBeUndefined();
    expect(() => parseLimit("5 per minute")).toThrow(/5\/10m/);
  });
});

describe("numbers of no country (satellite, international networks)", () => {
  const policy = (env: Record<string, string> = {}) => loadConfig(env).destinationPolicy;
  it.each([
    ["+881632000000", "Iridium"],
    ["+870773111632", "Inmarsat"],
    ["+883510000000", "an international network"],
    ["+881612345678", "Globalstar"],
  ])("refuses %s (%s) by default, on both channels", (number, _name) => {
    const phone = parsePhoneNumber(number);
    expect(phone.region).toBe("001");
    expect(checkDestination(policy(), "sms", phone)).toBe("non_geographic_not_allowed");
    expect(checkDestination(policy(), "voice", phone)).toBe("non_geographic_not_allowed");
  });

  it("sends to them only with ALLOW_NON_GEOGRAPHIC=true, and 001 can still be blocked by name", () => {
    const phone = parsePhoneNumber("+881632000000");
    expect(checkDestination(policy({ ALLOW_NON_GEOGRAPHIC: "true" }), "voice", phone)).toBeUndefined();
    const blocked = policy({ ALLOW_NON_GEOGRAPHIC: "true", BLOCKED_COUNTRIES: "001" });
    expect(checkDestination(blocked, "voice", phone)).toBe("country_blocked");
    const allowList = policy({ ALLOW_NON_GEOGRAPHIC: "true", ALLOWED_COUNTRIES: "GB" });
    expect(checkDestination(allowList, "voice", phone)).toBe("country_not_allowed");
  });
});

describe("numbers of no country, end to end", () => {
  it("places no call to +881 with a block-list set, and tells Okta the number is not allowed", async () => {
    const gw = await gateway({ BLOCKED_COUNTRIES: "RU" });
    try {
      for (const phoneNumber of ["+881632000000", "+870773111632", "+883510000000"]) {
        const res = await postHook(gw.httpUrl, oktaHookBody({ phoneNumber, deliveryChannel: "Voice" }));
        expect(res.json.error.errorCauses[0].reason).toBe("DESTINATION_NOT_ALLOWED");
      }
      expect(carrier.fake.requests).toHaveLength(0);
    } finally {
      await gw.close();
    }
  });
});
