import { Writable } from "node:stream";
import { setFlagsFromString } from "node:v8";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSmsClient } from "../src/carrier/8x8/sms-client.js";
import { createVoiceClient } from "../src/carrier/8x8/voice-client.js";
import { type CarrierHttpClient, createCarrierHttpClient } from "../src/carrier/http-pool.js";
import { type Fake8x8, startFake8x8 } from "./support/fake-8x8.js";
import { fakeCarrierEnv, startTestGateway, type TestGateway } from "./support/gateway.js";
import { oktaHookBody, postHook } from "./support/okta.js";

// The objects a send builds every time (the 8x8 request bodies, the success log lines) must
// share their hidden classes from one send to the next. In Node 20's V8 an object literal that
// opens with a spread of a non-empty object and goes on to more keys gets new hidden classes on
// every call, allocated in the old generation: with three such literals a hook request moved
// twice as many bytes to the old generation as it does now (bench/README.md, "hidden
// classes").
setFlagsFromString("--allow-natives-syntax");
// The first few calls of a literal go through V8's runtime and still share classes; the
// difference shows once its inline cache has settled.
const sends = 20;
const phone = (i: number) => `+4479111${String(20000 + i)}`;
const sameHiddenClass = new Function("a", "b", "return %HaveSameMap(a, b)") as (a: object, b: object) => boolean;

let fake: Fake8x8;
beforeAll(async () => {
  fake = await startFake8x8();
});
afterAll(() => fake.close());

/** The real pool to the fake 8x8, keeping each body object it is handed. */
function recordingPool(provider: string): CarrierHttpClient & { bodies: object[] } {
  const pool = createCarrierHttpClient({ origin: fake.url, apiKey: fake.apiKey, provider });
  const bodies: object[] = [];
  return {
    bodies,
    postJson(path, body, options) {
      bodies.push(body as object);
      return pool.postJson(path, body, options);
    },
    getJson: (path, options) => pool.getJson(path, options),
    close: () => pool.close(),
  };
}

describe("objects built on every send keep one hidden class", () => {
  it("the 8x8 SMS request body", async () => {
    const http = recordingPool("8x8-sms");
    const sms = createSmsClient({ http, subaccountId: "acme_hq", source: "AcmeCorp", provider: "8x8-sms" });
    for (let i = 0; i < sends; i++) {
      await sms.send(
        {
          to: phone(i),
          text: "Your code is 482913",
          clientMessageId: `evt${i}`,
          expiresAt: new Date(Date.now() + 300_000),
        },
        { timeoutMs: 2_000 },
      );
    }
    await http.close();
    expect(http.bodies).toHaveLength(sends);
    expect(sameHiddenClass(http.bodies.at(-2)!, http.bodies.at(-1)!)).toBe(true);
  });

  it("the 8x8 Voice request body", async () => {
    const http = recordingPool("8x8-voice");
    const voice = createVoiceClient({ http, subaccountId: "acme_voice", source: "+6531580000", provider: "8x8-voice" });
    for (let i = 0; i < sends; i++) {
      await voice.call(
        {
          to: phone(i),
          text: "Your code is 4 8 2 9 1 3",
          voiceProfile: "en-GB-LibbyNeural",
          repetition: 2,
          expiresAt: new Date(Date.now() + 300_000),
        },
        { timeoutMs: 2_000 },
      );
    }
    await http.close();
    expect(http.bodies).toHaveLength(sends);
    expect(sameHiddenClass(http.bodies.at(-2)!, http.bodies.at(-1)!)).toBe(true);
  });

  describe("the success log line of a send", () => {
    const lines = new Map<string, object[]>();
    let gateway: TestGateway;

    beforeAll(async () => {
      // pino's logMethod hook sees the very object each line was logged with.
      const logger = pino(
        {
          level: "info",
          hooks: {
            logMethod(args, method) {
              const [fields, message] = args as unknown[];
              if (typeof fields === "object" && fields !== null && typeof message === "string") {
                lines.set(message, [...(lines.get(message) ?? []), fields]);
              }
              method.apply(this, args);
            },
          },
        },
        new Writable({ write: (_chunk, _encoding, done) => done() }),
      );
      gateway = await startTestGateway(fakeCarrierEnv(fake), { logger });
    });
    afterAll(() => gateway.close());

    it("keeps them", async () => {
      for (let i = 0; i < sends; i++) {
        const res = await postHook(gateway.httpUrl, oktaHookBody({ phoneNumber: phone(i) }));
        expect(res.status).toBe(200);
      }
      // The line is written just after the answer (one a send: the hook's fields are in it).
      await new Promise((resolve) => setImmediate(resolve));
      expect(lines.get("okta hook: code accepted by carrier")).toBeUndefined();
      for (const message of ["carrier accepted the send"]) {
        const logged = lines.get(message) ?? [];
        expect(logged, message).toHaveLength(sends);
        expect(sameHiddenClass(logged.at(-2)!, logged.at(-1)!), message).toBe(true);
      }
    });
  });
});
