import fc from "fast-check";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { createReceiptIntake } from "../src/delivery/intake.js";
import { createMemoryDeliveryStore } from "../src/delivery/memory-store.js";
import { type AcceptedSend, createDeliveryTracker } from "../src/delivery/tracker.js";
import { createMetrics } from "../src/observability/metrics.js";
import { dlrBody, vssBody } from "./support/receipts.js";

// The delivery records on their own: bounds, deadlines, early receipts and any body at all.

const quiet = pino({ level: "silent" });
const hours = 3_600_000;

function tracker(options: { maxRecords?: number; now?: () => number } = {}) {
  const now = options.now ?? Date.now;
  const store = createMemoryDeliveryStore({ maxRecords: options.maxRecords ?? 20_000, retentionMs: 49 * hours, now });
  const metrics = createMetrics();
  const t = createDeliveryTracker({
    store,
    shared: false,
    receiptTimeoutMs: { sms: 600_000, voice: 300_000 },
    now,
    logger: quiet,
    metrics,
  });
  return { tracker: t, store, metrics, intake: createReceiptIntake(t, { logger: quiet, metrics }) };
}

let n = 0;
const send = (overrides: Partial<AcceptedSend> = {}): AcceptedSend => {
  n += 1;
  return {
    deliveryId: `d-${n}`,
    provider: "8x8",
    providerMessageId: `umid-${n}`,
    providerStatus: "QUEUED",
    channel: "sms",
    maskedPhone: "+44******0123",
    country: "GB",
    caller: "okta-hook",
    purpose: "",
    userId: "",
    idempotencyKey: `evt-${n}`,
    traceId: "",
    spanId: "",
    ...overrides,
  };
};

describe("bounded memory", () => {
  it("100 000 receipts for unknown umids and 50 000 deliveries stay within the store's caps", async () => {
    const { tracker: t, store, intake } = tracker({ maxRecords: 20_000 });
    for (let i = 0; i < 100_000; i++) await intake("sms", dlrBody(`ghost-${i}`, { state: "delivered" }));
    for (let i = 0; i < 50_000; i++) await t.accepted(send());
    const size = store.size!();
    expect(size.records).toBe(20_000);
    expect(size.early).toBeLessThanOrEqual(10_000);
    expect(size.due).toBeLessThanOrEqual(2 * 20_000);
    // The newest records are the ones kept, with their indexes.
    const newest = await t.find({ kind: "provider", providerMessageId: `umid-${n}` });
    expect(await t.get(newest!)).toMatchObject({ state: "accepted" });
    expect(await t.find({ kind: "provider", providerMessageId: `umid-${n - 20_000}` })).toBeUndefined();
  });

  it("forgets a record past its retention (48 h and an hour), index and all", async () => {
    let now = Date.now();
    const { tracker: t } = tracker({ now: () => now });
    const s = send();
    await t.accepted(s);
    now += 49 * hours + 1;
    expect(await t.get(s.deliveryId)).toBeUndefined();
  });
});

describe("receipt deadlines", () => {
  it("marks a send with no final receipt UNCONFIRMED once, and a later receipt still sets it", async () => {
    let now = Date.now();
    const { tracker: t, metrics, intake } = tracker({ now: () => now });
    const sms = send();
    const voice = send({ channel: "voice" });
    const answered = send();
    await Promise.all([t.accepted(sms), t.accepted(voice), t.accepted(answered)]);
    await intake("sms", dlrBody(answered.providerMessageId, { state: "delivered" }));
    now += 5 * 60_000 + 1;
    expect(await t.sweep()).toBe(1);
    expect((await t.get(voice.deliveryId))?.state).toBe("unconfirmed");
    expect((await t.get(sms.deliveryId))?.state).toBe("accepted");
    now += 5 * 60_000;
    expect(await t.sweep()).toBe(1);
    expect(await t.sweep()).toBe(0);
    expect((await t.get(answered.deliveryId))?.state).toBe("delivered");
    const text = await metrics.registry.metrics();
    expect(text).toContain('otp_deliveries_unconfirmed_total{channel="voice"} 1');
    expect(text).toContain('otp_deliveries_unconfirmed_total{channel="sms"} 1');
    await intake("sms", dlrBody(sms.providerMessageId, { state: "delivered" }));
    expect((await t.get(sms.deliveryId))?.state).toBe("delivered");
  });
});

describe("a receipt that comes before its record", () => {
  it("is kept and applied when the send is recorded", async () => {
    const { tracker: t, intake } = tracker();
    const s = send();
    expect(await intake("sms", dlrBody(s.providerMessageId, { state: "delivered" }))).toEqual({
      status: 200,
      outcome: "unknown_message",
    });
    await t.accepted(s);
    expect((await t.get(s.deliveryId))?.state).toBe("delivered");
  });
});

describe("any body at all (property-based)", () => {
  const anyJson = fc.jsonValue({ maxDepth: 4 });
  const receiptLike = fc.record({
    namespace: fc.constantFrom("SMS", "VOICE", "sms", undefined),
    eventType: fc.oneof(fc.constantFrom("outbound_message_status_changed", "SESSION_SUMMARY", "x"), fc.string()),
    payload: fc.oneof(
      anyJson,
      fc.record({
        umid: fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
        sessionId: fc.oneof(fc.string(), fc.constant(undefined)),
        sessionStatus: fc.oneof(fc.constantFrom("COMPLETED", "NO_ANSWER"), fc.string(), fc.integer()),
        status: fc.oneof(
          anyJson,
          fc.record({ state: fc.oneof(fc.string(), anyJson), timestamp: anyJson, errorCode: anyJson }),
        ),
        price: anyJson,
        details: anyJson,
      }),
    ),
  });

  it("answers 200 or 400 for 2 000 bodies, never throws, and moves no record it does not name", async () => {
    const { tracker: t, intake, store } = tracker();
    const known = send();
    await t.accepted(known);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(anyJson, receiptLike),
        fc.constantFrom("sms" as const, "voice" as const),
        async (body, route) => {
          const answer = await intake(route, body);
          expect([200, 400]).toContain(answer.status);
        },
      ),
      { numRuns: 2_000 },
    );
    expect((await t.get(known.deliveryId))?.events).toHaveLength(1);
    expect(store.size!().records).toBe(1);
  });

  it("reads a voice summary whatever the case of its keys", async () => {
    const { tracker: t, intake } = tracker();
    const call = send({ channel: "voice" });
    await t.accepted(call);
    const body = JSON.parse(
      JSON.stringify(vssBody(call.providerMessageId, "BUSY")).replace('"sessionStatus"', '"SessionStatus"'),
    );
    expect((await intake("voice", body)).outcome).toBe("applied");
    expect((await t.get(call.deliveryId))?.state).toBe("busy");
  });
});
