import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Fake8x8, startFake8x8 } from "./support/fake-8x8.js";
import { fakeCarrierEnv, oktaSecret } from "./support/gateway.js";
import { oktaHookBody, postHook } from "./support/okta.js";
import { type GatewayProcess, runGatewayToExit, sandboxSecret, spawnGateway } from "./support/process.js";

describe("npm start on a fresh machine (no 8x8 credentials)", () => {
  let gw: GatewayProcess;
  beforeAll(async () => {
    gw = await spawnGateway({}, { telemetry: true });
  });
  afterAll(async () => gw?.stop());

  it("says loudly that nothing is delivered and prints a generated hook secret once", () => {
    const text = gw.output.join("\n");
    expect(text).toContain("SANDBOX CARRIER: no 8x8 credentials are set, so NO SMS OR CALL WILL BE DELIVERED");
    expect(text.match(/Sandbox Okta hook secret/g)).toHaveLength(1);
  });

  it("serves the hook on the sandbox carrier and lists accepted sends, masked", async () => {
    const secret = sandboxSecret(gw.output);
    const base = `http://127.0.0.1:${gw.httpPort}`;

    expect((await postHook(base, oktaHookBody(), { authorization: "wrong" })).status).toBe(401);
    // A local try: no Okta org in `source`, as a hand-made request has none.
    const local = { otpCode: "808080", phoneNumber: "+14155552671", source: undefined };
    const res = await postHook(base, oktaHookBody(local), { authorization: secret });
    expect(res.json.commands[0].value[0]).toMatchObject({ status: "SUCCESSFUL", provider: "sandbox" });

    const listed = (await (await fetch(`${base}/sandbox/messages`)).json()) as {
      messages: Array<Record<string, unknown>>;
    };
    expect(listed.messages[0]).toMatchObject({
      channel: "sms",
      to: "+1******2671",
      text: "Your verification code is 808080",
      id: res.json.commands[0].value[0].transactionId,
    });
    expect(JSON.stringify(listed)).not.toContain("4155552671");
  });

  it("makes its own receipts: ACCEPTED, then DELIVERED; 0000 undelivered, calls to 0001 not answered", async () => {
    const secret = sandboxSecret(gw.output);
    const base = `http://127.0.0.1:${gw.httpPort}`;
    const sendTo = async (phoneNumber: string, deliveryChannel = "SMS") => {
      const body = oktaHookBody({ phoneNumber, deliveryChannel, source: undefined });
      const res = await postHook(base, body, { authorization: secret });
      return res.json.commands[0].value[0].transactionId as string;
    };
    const ids = {
      delivered: await sendTo("+14155552680"),
      undelivered: await sendTo("+14155550000"),
      answered: await sendTo("+14155552681", "Voice Call"),
      notAnswered: await sendTo("+14155550001", "Voice Call"),
    };
    const statusOf = async (id: string) => {
      const listed = (await (await fetch(`${base}/sandbox/messages`)).json()) as {
        messages: Array<{ id: string; status?: string }>;
      };
      return listed.messages.find((m) => m.id === id)?.status;
    };
    expect(await statusOf(ids.delivered)).toBe("ACCEPTED");
    await expect.poll(() => statusOf(ids.delivered), { timeout: 5_000 }).toBe("DELIVERED");
    await expect.poll(() => statusOf(ids.undelivered), { timeout: 5_000 }).toBe("UNDELIVERED");
    await expect.poll(() => statusOf(ids.answered), { timeout: 5_000 }).toBe("ANSWERED");
    await expect.poll(() => statusOf(ids.notAnswered), { timeout: 5_000 }).toBe("NOT_ANSWERED");
    // Through the same intake as 8x8's webhooks: counted there too.
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/otp_webhook_requests_total\{route="sms",outcome="applied"\} [1-9]/);
    expect(metrics).toMatch(/otp_delivery_receipts_total\{channel="voice",state="not_answered",country="US"\} 1/);
  });

  it("keeps production's per-number limit, and forgets it on POST /sandbox/reset", async () => {
    const secret = sandboxSecret(gw.output);
    const base = `http://127.0.0.1:${gw.httpPort}`;
    const send = () =>
      postHook(base, oktaHookBody({ phoneNumber: "+14155552699", source: undefined }), { authorization: secret });
    for (let i = 0; i < 5; i++) expect((await send()).json.commands[0].value[0].status).toBe("SUCCESSFUL");
    expect((await send()).json.error.errorCauses[0].reason).toBe("RATE_LIMITED");
    const reset = await fetch(`${base}/sandbox/reset`, { method: "POST" });
    expect(await reset.json()).toEqual({ reset: ["send limits", "idempotency keys"] });
    expect((await send()).json.commands[0].value[0].status).toBe("SUCCESSFUL");
  });

  it("answers a real Okta org's sign-in FAILED (reason=sandbox) so Okta sends the code, and a Preview SUCCESSFUL", async () => {
    const secret = sandboxSecret(gw.output);
    const base = `http://127.0.0.1:${gw.httpPort}`;
    const before = (await (await fetch(`${base}/sandbox/messages`)).json()) as { messages: unknown[] };

    const real = await postHook(base, oktaHookBody({ phoneNumber: "+14155552672" }), { authorization: secret });
    expect(real.json.commands[0].value[0]).toEqual({
      status: "FAILED",
      provider: "sandbox",
      transactionMetadata: "reason=sandbox;channel=sms",
    });
    const after = (await (await fetch(`${base}/sandbox/messages`)).json()) as { messages: unknown[] };
    expect(after.messages).toHaveLength(before.messages.length);
    // The line travels through the child's stdout pipe, which may deliver it after the answer.
    const logged = () => gw.output.find((l) => l.includes("a real Okta org's sign-in reached the sandbox carrier"));
    await expect.poll(logged, { timeout: 2_000 }).toBeDefined();
    expect(JSON.parse(logged()!)).toMatchObject({ level: 50 });

    const preview = await postHook(base, oktaHookBody({ phoneNumber: "+14155552673", preview: true }), {
      authorization: secret,
    });
    expect(preview.json.commands[0].value[0]).toMatchObject({ status: "SUCCESSFUL", provider: "sandbox" });
    const oktaPreviewOrg = oktaHookBody({
      phoneNumber: "+14155552674",
      source: "https://acme.oktapreview.com/api/v1/inlineHooks/cal1",
    });
    const previewOrg = await postHook(base, oktaPreviewOrg, { authorization: secret });
    expect(previewOrg.json.commands[0].value[0]).toMatchObject({ status: "SUCCESSFUL", provider: "sandbox" });
  });

  it("answers the health endpoints", async () => {
    const base = `http://127.0.0.1:${gw.httpPort}`;
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: "ok" });
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({
      status: "ready",
      role: "all",
      carrier: "sandbox",
      circuits: {
        sms: { state: "closed", consecutiveFailures: 0 },
        voice: { state: "closed", consecutiveFailures: 0 },
      },
      store: { kind: "memory" },
      features: {
        receipts: "open (sandbox)",
        oktaEventHook: false,
        feedbackTo8x8: false,
        verify: true,
        fraudRules: "enforce",
        tracing: "off",
      },
    });
  });
});

describe("start-up refusals", () => {
  it("refuses the sandbox carrier when NODE_ENV=production", async () => {
    const { code, output } = await runGatewayToExit({ NODE_ENV: "production", OKTA_AUTH_SECRET: oktaSecret });
    expect(code).toBe(78);
    expect(output).toContain("EIGHTBYEIGHT_API_KEY: required when NODE_ENV=production");
  });

  it("refuses live mode without an Okta secret", async () => {
    const { code, output } = await runGatewayToExit({
      EIGHTBYEIGHT_API_KEY: "k",
      EIGHTBYEIGHT_SUBACCOUNT_ID: "acme_hq",
    });
    expect(code).toBe(78);
    expect(output).toContain("OKTA_AUTH_SECRET: required outside the sandbox");
    expect(output).not.toContain("Sandbox Okta hook secret");
  });
});

describe("graceful shutdown on SIGTERM", () => {
  let fake: Fake8x8;
  beforeAll(async () => {
    fake = await startFake8x8();
  });
  afterAll(async () => fake?.close());

  it("answers every request in flight, refuses new connections and exits 0", async () => {
    const gw = await spawnGateway({ ...fakeCarrierEnv(fake), OKTA_AUTH_SECRET: oktaSecret }, { telemetry: false });
    const base = `http://127.0.0.1:${gw.httpPort}`;
    fake.behave({ kind: "delay", ms: 700 });
    const inFlight = Array.from({ length: 20 }, () => postHook(base, oktaHookBody()));
    while (fake.requests.length < 20) await new Promise((r) => setTimeout(r, 10));

    gw.child.kill("SIGTERM");
    // The notice period first: still answering, but telling keep-alive clients to leave.
    await new Promise((r) => setTimeout(r, 100));
    const notice = await fetch(`${base}/readyz`);
    expect(notice.status).toBe(503);
    expect(notice.headers.get("connection")).toBe("close");
    let refused = false;
    for (const until = Date.now() + 5_000; Date.now() < until && !refused; ) {
      try {
        await fetch(`${base}/healthz`, { headers: { connection: "close" } });
        await new Promise((r) => setTimeout(r, 10));
      } catch {
        refused = true;
      }
    }
    expect(refused).toBe(true);

    const answers = await Promise.all(inFlight);
    expect(answers.map((a) => a.json.commands[0].value[0].status)).toEqual(Array(20).fill("SUCCESSFUL"));
    expect(fake.requests).toHaveLength(20);
    expect(await gw.exited).toBe(0);
    expect(gw.output.join("\n")).toContain("shutdown complete");
    fake.behave({ kind: "accept" });
    fake.requests.length = 0;
  });

  it("cuts a connection that never finishes its request once SHUTDOWN_GRACE_MS is over", async () => {
    const gw = await spawnGateway(
      { ...fakeCarrierEnv(fake), OKTA_AUTH_SECRET: oktaSecret, SHUTDOWN_GRACE_MS: "500" },
      { telemetry: false },
    );
    // A client that sends half a request and stalls (as a slow or broken client would).
    const socket = connect(gw.httpPort, "127.0.0.1");
    await new Promise((r) => socket.once("connect", r));
    socket.write(
      `POST /okta/telephony HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\nauthorization: ${oktaSecret}\r\n\r\n{"data":`,
    );
    await new Promise((r) => setTimeout(r, 100));
    gw.child.kill("SIGTERM");
    expect(await gw.exited).toBe(0);
    expect(gw.output.join("\n")).toContain("shutdown grace period over");
    socket.destroy();
  });
});
