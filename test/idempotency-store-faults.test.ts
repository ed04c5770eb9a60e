import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { Channel, GatewayErrorDetailSchema, GatewayFailure, OtpService } from "../gen/otp/v1/otp_pb.js";
import { createSandboxCarrier } from "../src/carrier/sandbox/index.js";
import { createFixedCallerInterceptor } from "../src/otp/api-key-auth.js";
import { createInProcessTransport } from "../src/otp/client/in-process-transport.js";
import { createOtpService } from "../src/otp/service.js";
import { createMemoryIdempotencyStore, type IdempotencyStore } from "../src/store/idempotency-store.js";

// What happens to "at most once" when the idempotency store itself misbehaves: a stalled store
// must not leave a key "in progress" for the whole TTL, nor make repeats fail without a cause.

const request = { channel: Channel.SMS, phoneNumber: "+447911123456", code: "482913" };

function service(store: IdempotencyStore, options: { maxConcurrentSends?: number; logs?: string[] } = {}) {
  const carrier = createSandboxCarrier();
  const logger = pino({ level: "warn" }, { write: (line: string) => options.logs?.push(line) });
  const impl = createOtpService({
    carrier,
    logger,
    smsTemplate: "Your code is {code}",
    defaultTimeoutMs: 1_000,
    idempotency: store,
    idempotencyTtlMs: 15 * 60_000,
    maxConcurrentSends: options.maxConcurrentSends,
  });
  const transport = createInProcessTransport({
    service: OtpService,
    impl,
    serverInterceptors: [createFixedCallerInterceptor("c")],
  });
  return { client: createClient(OtpService, transport), carrier };
}

const sent = (carrier: ReturnType<typeof createSandboxCarrier>) => carrier.recordedSends?.().length ?? 0;

describe("idempotency when the store stalls", () => {
  it("retries a record that failed, so a repeat still gets the first answer", async () => {
    const inner = createMemoryIdempotencyStore();
    let failures = 1;
    const store: IdempotencyStore = {
      ...inner,
      settle: (...args) => (failures-- > 0 ? Promise.reject(new Error("store stalled")) : inner.settle(...args)),
    };
    const { client, carrier } = service(store);
    const first = await client.sendOtp({ ...request, idempotencyKey: "stall-once" });
    await new Promise((r) => setTimeout(r, 300));
    const repeat = await client.sendOtp({ ...request, idempotencyKey: "stall-once" }, { timeoutMs: 500 });
    expect(repeat.deliveryId).toBe(first.deliveryId);
    expect(sent(carrier)).toBe(1);
  });

  it("lets a claim whose answer was never recorded lapse with the send's lease, not the 15-minute TTL", async () => {
    let clock = 1_000_000;
    const inner = createMemoryIdempotencyStore({ now: () => clock });
    const store: IdempotencyStore = { ...inner, settle: () => Promise.reject(new Error("store gone")) };
    const { client, carrier } = service(store);
    await client.sendOtp({ ...request, idempotencyKey: "never-recorded" });
    const blocked = await client
      .sendOtp({ ...request, idempotencyKey: "never-recorded" }, { timeoutMs: 200 })
      .catch((e: unknown) => ConnectError.from(e));
    expect(blocked).toBeInstanceOf(ConnectError);
    // One send's budget (1 s) and the lease's margin later, a repeat may try again.
    clock += 6_100;
    await client.sendOtp({ ...request, idempotencyKey: "never-recorded" });
    expect(sent(carrier)).toBe(2);
  });

  it("tells a repeat whose wait failed that the request is in progress, and logs why", async () => {
    const logs: string[] = [];
    const inner = createMemoryIdempotencyStore();
    let claims = 0;
    const store: IdempotencyStore = {
      ...inner,
      // The first claim succeeds and its answer is never recorded, so the repeat has to wait.
      claim: (...args) =>
        claims++ === 0 ? inner.claim(...args) : Promise.resolve({ claimed: false, record: { fingerprint: "x" } }),
      settle: () => new Promise(() => {}),
      wait: () => Promise.reject(new Error("connection lost")),
    };
    const { client } = service(store, { logs });
    await client.sendOtp({ ...request, idempotencyKey: "wait-fails" });
    const err = ConnectError.from(await client.sendOtp({ ...request, idempotencyKey: "wait-fails" }).catch((e) => e));
    expect(err.code).toBe(Code.DeadlineExceeded);
    expect(err.findDetails(GatewayErrorDetailSchema)[0]?.failure).toBe(GatewayFailure.IN_PROGRESS);
    expect(logs.join()).toContain("idempotency store unavailable while a repeat waited");
    expect(logs.join()).toContain("connection lost");
  });

  it("counts repeats waiting for a first attempt against MAX_CONCURRENT_SENDS", async () => {
    const inner = createMemoryIdempotencyStore();
    const store: IdempotencyStore = { ...inner, settle: () => new Promise(() => {}) };
    const { client } = service(store, { maxConcurrentSends: 2 });
    await client.sendOtp({ ...request, idempotencyKey: "crowd" });
    // The key stays claimed (its record never lands): repeats wait, each holding a slot.
    const waiting = [1, 2, 3].map(() =>
      client
        .sendOtp({ ...request, idempotencyKey: "crowd" }, { timeoutMs: 300 })
        .catch((e: unknown) => ConnectError.from(e)),
    );
    const results = await Promise.all(waiting);
    const overloaded = results.filter((r) => r instanceof ConnectError && r.code === Code.ResourceExhausted);
    expect(overloaded).toHaveLength(1);
  });
});
