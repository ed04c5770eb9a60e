import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OtpService } from "../gen/otp/v1/otp_pb.js";
import { createBearerInterceptor } from "../src/otp/client/bearer.js";
import { type Fake8x8, startFake8x8 } from "./support/fake-8x8.js";
import { fakeCarrierEnv, oktaSecret, rpcApiKey, startTestGateway, type TestGateway } from "./support/gateway.js";
import { oktaHookBody } from "./support/okta.js";

// Property-based checks over thousands of generated requests: whatever arrives, the gateway
// answers with a clear 4xx or a well-formed Okta answer, never a 5xx, never crashes, and never
// calls 8x8 for a request it refused.

let fake: Fake8x8;
let gw: TestGateway;

beforeAll(async () => {
  fake = await startFake8x8();
  gw = await startTestGateway({
    ...fakeCarrierEnv(fake),
    LOG_LEVEL: "warn",
    CIRCUIT_FAILURE_THRESHOLD: "1000",
    MAX_CONCURRENT_SENDS: "1000",
  });
});
afterAll(async () => {
  await gw?.close();
  await fake?.close();
});

const dangerousKeys = ["__proto__", "constructor", "prototype", "toString", "hasOwnProperty", "valueOf"];
const anyJson = fc.jsonValue({ maxDepth: 3 });
const weirdString = fc.oneof(
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.string({ minLength: 2000, maxLength: 30_000 }),
  fc.constantFrom(
    "",
    " ",
    "+",
    "+0",
    "00447911123456",
    "+447911123456\u0000",
    "\u202e+447911123456",
    "NaN",
    "null",
    "1e309",
  ),
);
const fieldValue = fc.oneof(anyJson, weirdString, fc.constant(undefined));

/** A valid-looking body with one or more fields replaced, removed, or shadowed by dangerous keys. */
const mutatedBody = fc
  .record({
    paths: fc.array(
      fc.constantFrom(
        "eventId",
        "requestType",
        "data",
        "data.messageProfile",
        "data.messageProfile.phoneNumber",
        "data.messageProfile.otpCode",
        "data.messageProfile.deliveryChannel",
        "data.messageProfile.msgTemplate",
        "data.messageProfile.locale",
        "data.messageProfile.otpExpires",
        "data.userProfile",
        "data.context.request.url.value",
      ),
      { minLength: 1, maxLength: 3 },
    ),
    values: fc.array(fieldValue, { minLength: 3, maxLength: 3 }),
    dangerous: fc.option(
      fc.record({
        at: fc.constantFrom("", "data", "data.messageProfile"),
        key: fc.constantFrom(...dangerousKeys),
        value: anyJson,
      }),
    ),
  })
  .map(({ paths, values, dangerous }) => {
    const body = oktaHookBody() as unknown as Record<string, unknown>;
    for (const [i, path] of paths.entries()) setPath(body, path, values[i]);
    let text = JSON.stringify(body);
    if (dangerous) {
      // JSON.stringify drops __proto__ as a key, so it is spliced into the text.
      const injected = `"${dangerous.key}":${JSON.stringify(dangerous.value)},`;
      text =
        dangerous.at === ""
          ? text.replace("{", `{${injected}`)
          : text.replace(`"${dangerous.at.split(".").pop()}":{`, (m) => `${m}${injected}`);
    }
    return text;
  });

const hookBody = fc.oneof(
  { weight: 6, arbitrary: mutatedBody },
  { weight: 2, arbitrary: anyJson.map((v) => JSON.stringify(v)) },
  { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
  { weight: 1, arbitrary: fc.constant(null).map(() => JSON.stringify(oktaHookBody())) },
);

function setPath(target: Record<string, unknown>, path: string, value: unknown) {
  const parts = path.split(".");
  let node: Record<string, unknown> = target;
  for (const part of parts.slice(0, -1)) {
    if (typeof node[part] !== "object" || node[part] === null) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  const last = parts.at(-1)!;
  if (value === undefined) delete node[last];
  else node[last] = value;
}

describe("fuzzing the Okta hook", () => {
  it("answers every generated body with 200 (SUCCESSFUL/FAILED) or a 4xx, and sends only for SUCCESSFUL", async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(hookBody, async (text) => {
        const before = fake.requests.length;
        const res = await fetch(`${gw.httpUrl}/okta/telephony`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: oktaSecret },
          body: text,
        });
        const json = (await res.json()) as any;
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        const calls = fake.requests.length - before;
        expect(calls).toBeLessThanOrEqual(1);
        if (res.status === 200) {
          const answer = json.commands[0].value[0];
          expect(["SUCCESSFUL", "FAILED"]).toContain(answer.status);
          // Never SUCCESSFUL without an acceptance from 8x8 behind it (a replayed eventId
          // points at an earlier one).
          if (answer.status === "SUCCESSFUL") {
            const accepted = fake.answers.map(
              (a) => (a as { umid?: string }).umid ?? (a as { sessionId?: string }).sessionId,
            );
            expect(accepted).toContain(answer.transactionId);
          }
        } else {
          expect([400, 413, 415]).toContain(res.status);
          expect(typeof json.error.errorSummary).toBe("string");
          expect(calls).toBe(0);
        }
      }),
      { numRuns: 1500 },
    );
    // The generator must reach both sides of the gateway, or the property proves little.
    expect(statuses.get(200) ?? 0).toBeGreaterThan(20);
    expect(statuses.get(400) ?? 0).toBeGreaterThan(200);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((await fetch(`${gw.httpUrl}/healthz`)).status).toBe(200);
  });
});

describe("fuzzing OtpService", () => {
  const client = () =>
    createClient(
      OtpService,
      createConnectTransport({
        baseUrl: gw.httpUrl,
        httpVersion: "1.1",
        interceptors: [createBearerInterceptor(rpcApiKey)],
      }),
    );

  it("answers every generated message with a response or InvalidArgument, and sends only for a response", async () => {
    const c = client();
    const outcomes = { ok: 0, invalid: 0 };
    // Mostly plausible values with a weird one here and there, so both valid and invalid
    // messages are reached often.
    const mostly = <T, U>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<U>) =>
      fc.oneof({ weight: 5, arbitrary: good }, { weight: 1, arbitrary: bad });
    const message = fc.record({
      channel: mostly(fc.constantFrom(1, 2), fc.integer({ min: -5, max: 1000 })),
      phoneNumber: mostly(
        fc.constantFrom("+447911123456", "+14155552671", "+448712345678", "07911123456"),
        weirdString,
      ),
      code: mostly(fc.stringMatching(/^[0-9]{4,10}$/), weirdString),
      text: mostly(fc.constant(""), weirdString),
      locale: mostly(fc.constantFrom("", "en-US", "EN_gb"), weirdString),
      idempotencyKey: mostly(fc.oneof(fc.constant(""), fc.uuid()), weirdString),
      defaultRegion: mostly(fc.constantFrom("", "GB", "us"), fc.string({ maxLength: 4 })),
      purpose: mostly(fc.constant(""), weirdString),
      userId: mostly(fc.constant(""), weirdString),
    });
    await fc.assert(
      fc.asyncProperty(message, async (m) => {
        const before = fake.requests.length;
        try {
          await c.sendOtp(m);
          outcomes.ok += 1;
          expect(fake.requests.length - before).toBe(1);
        } catch (err) {
          const ce = ConnectError.from(err);
          // A repeated generated idempotency key with other content is a clear refusal too.
          expect([Code.InvalidArgument, Code.AlreadyExists, Code.ResourceExhausted, Code.PermissionDenied]).toContain(
            ce.code,
          );
          if (ce.code === Code.InvalidArgument) outcomes.invalid += 1;
          expect(fake.requests.length - before).toBe(0);
        }
      }),
      { numRuns: 1000 },
    );
    expect(outcomes.ok).toBeGreaterThan(10);
    expect(outcomes.invalid).toBeGreaterThan(200);
  });

  it("answers malformed Connect JSON with a 4xx Connect error, never a 5xx", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          anyJson.map((v) => JSON.stringify(v)),
          fc.string({ maxLength: 100 }),
        ),
        async (text) => {
          const before = fake.requests.length;
          const res = await fetch(`${gw.httpUrl}/otp.v1.OtpService/SendOtp`, {
            method: "POST",
            headers: { "content-type": "application/json", authorization: `Bearer ${rpcApiKey}` },
            body: text,
          });
          expect(res.status).toBeLessThan(500);
          if (res.status !== 200) {
            expect(typeof ((await res.json()) as { code: string }).code).toBe("string");
            expect(fake.requests.length - before).toBe(0);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
