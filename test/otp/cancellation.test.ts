import { createClient, createContextValues, type HandlerContext } from "@connectrpc/connect";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { Channel, OtpService } from "../../gen/otp/v1/otp_pb.js";
import type { Carrier, SendOptions } from "../../src/carrier/index.js";
import { createSandboxCarrier } from "../../src/carrier/sandbox/index.js";
import { handleHook } from "../../src/okta/hook-handler.js";
import { createFixedCallerInterceptor } from "../../src/otp/api-key-auth.js";
import { endsOnlyAtDeadlineKey } from "../../src/otp/caller.js";
import { createInProcessTransport } from "../../src/otp/client/in-process-transport.js";
import { createOtpService } from "../../src/otp/service.js";
import { oktaHookBody } from "../support/okta.js";

// An in-process call's AbortSignal is made only when something reads it: a signal and the
// carrier call's listener on it were a tenth of the hook's throughput.
describe("in-process cancellation", () => {
  it("makes no AbortController for a call whose handler never reads its signal", async () => {
    const transport = createInProcessTransport({ service: OtpService, impl: { sendOtp: async () => ({}) } });
    const client = createClient(OtpService, transport);
    const Original = globalThis.AbortController;
    let made = 0;
    globalThis.AbortController = class extends Original {
      constructor() {
        super();
        made += 1;
      }
    };
    try {
      for (let i = 0; i < 20; i++) await client.sendOtp({}, { timeoutMs: 2_000 });
      expect(made).toBe(0);
      // The same call, its handler reading the signal: one controller each.
      const reading = createClient(
        OtpService,
        createInProcessTransport({
          service: OtpService,
          impl: {
            sendOtp: async (_req: unknown, ctx: { signal: AbortSignal }) => ({ provider: String(ctx.signal.aborted) }),
          },
        }),
      );
      expect((await reading.sendOtp({}, { timeoutMs: 2_000 })).provider).toBe("false");
      expect(made).toBe(1);
    } finally {
      globalThis.AbortController = Original;
    }
  });

  it("hands a handler that first reads its signal after the deadline an aborted one", async () => {
    let late: AbortSignal | undefined;
    const client = createClient(
      OtpService,
      createInProcessTransport({
        service: OtpService,
        impl: {
          sendOtp: (_req: unknown, ctx: { signal: AbortSignal }) =>
            new Promise((resolve) =>
              setTimeout(() => {
                late = ctx.signal;
                resolve({});
              }, 120),
            ),
        },
      }),
    );
    await expect(client.sendOtp({}, { timeoutMs: 30 })).rejects.toThrow(/timed out/);
    await new Promise((r) => setTimeout(r, 150));
    expect(late?.aborted).toBe(true);
    expect(String(late?.reason)).toMatch(/deadline_exceeded/);
  });

  it("gives the carrier call the RPC's signal unless the caller passed none", async () => {
    const sandbox = createSandboxCarrier();
    const signals: Array<AbortSignal | undefined> = [];
    const carrier: Carrier = {
      ...sandbox,
      sendSms: (message, options: SendOptions) => {
        signals.push(options.signal);
        return sandbox.sendSms(message, options);
      },
    };
    const service = createOtpService({
      carrier,
      logger: pino({ level: "silent" }),
      smsTemplate: "{code}",
      defaultTimeoutMs: 1_000,
    });
    const client = createClient(
      OtpService,
      createInProcessTransport({
        service: OtpService,
        impl: service,
        serverInterceptors: [createFixedCallerInterceptor("c")],
      }),
    );
    const send = { channel: Channel.SMS, phoneNumber: "+447911123456", code: "482913" };
    await client.sendOtp(send, { timeoutMs: 2_000, signal: new AbortController().signal });
    await client.sendOtp(send, { timeoutMs: 2_000 });
    // A caller's own claim does not count: the transport says whether the caller passed a signal.
    await client.sendOtp(send, {
      timeoutMs: 2_000,
      signal: new AbortController().signal,
      contextValues: createContextValues().set(endsOnlyAtDeadlineKey, true),
    });
    expect(signals).toHaveLength(3);
    expect(signals[0]).toBeInstanceOf(AbortSignal);
    expect(signals[1]).toBeUndefined();
    expect(signals[2]).toBeInstanceOf(AbortSignal);
  });
});

describe("the Okta hook's in-process call", () => {
  it("passes no signal, so the service knows its call ends only at its deadline", async () => {
    const seen: Array<boolean | undefined> = [];
    const client = createClient(
      OtpService,
      createInProcessTransport({
        service: OtpService,
        impl: {
          sendOtp: async (_req: unknown, ctx: HandlerContext) => {
            seen.push(ctx.values.get(endsOnlyAtDeadlineKey));
            return { deliveryId: "d1", provider: "8x8", providerMessageId: "m1", maskedPhoneNumber: "+44******3456" };
          },
        },
      }),
    );
    const req = { body: oktaHookBody(), log: pino({ level: "silent" }), otelContext: null, oktaReceivedAt: 0 };
    const answer = await handleHook(req as never, {} as never, {
      otpClient: client,
      budgetMs: 2_500,
      providerName: "8x8",
      delivery: "live",
      now: Date.now,
    });
    expect(JSON.stringify(answer)).toContain("SUCCESSFUL");
    expect(seen).toEqual([true]);
  });
});
