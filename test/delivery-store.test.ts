import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createMemoryDeliveryStore } from "../src/delivery/memory-store.js";
import type { DeliveryRecord } from "../src/delivery/record.js";
import { userScopeOf } from "../src/delivery/record.js";
import { decodeRecord, encodeRecord } from "../src/delivery/record-codec.js";
import { RecordTable, textBytesPerRecord } from "../src/delivery/record-table.js";

// The in-memory delivery store's parts: the record's text, the off-heap table, and the store
// against a plain model of what it promises (age order, cap, retention, latest holder per index).

// Any UTF-16 unit, lone surrogates included: the text must come back unchanged.
const anyText = fc.string({
  unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
  maxLength: 40,
});
const state = fc.constantFrom("accepted", "sent", "delivered", "undelivered", "unconfirmed", "answered" as const);
const optional = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
const event = fc.record({
  state: optional(state),
  providerState: optional(anyText),
  detail: optional(anyText),
  errorCode: optional(anyText),
  at: fc.integer({ min: 0, max: 2 ** 42 }),
});
const record: fc.Arbitrary<DeliveryRecord> = fc.record({
  deliveryId: anyText,
  provider: anyText,
  providerMessageId: anyText,
  channel: fc.constantFrom("sms" as const, "voice" as const),
  maskedPhone: anyText,
  country: anyText,
  caller: anyText,
  purpose: anyText,
  userId: anyText,
  idempotencyKey: anyText,
  traceId: anyText,
  spanId: anyText,
  acceptedAt: fc.integer({ min: 0, max: 2 ** 42 }),
  updatedAt: fc.integer({ min: 0, max: 2 ** 42 }),
  state,
  providerState: optional(anyText),
  errorCode: optional(anyText),
  errorDescription: optional(anyText),
  price: optional(fc.double({ noNaN: true, noDefaultInfinity: true })),
  currency: optional(anyText),
  smsCount: optional(fc.integer({ min: 0, max: 10 })),
  conversion: optional(fc.constantFrom("converted" as const, "not_converted" as const)),
  convertedAt: optional(fc.integer({ min: 0, max: 2 ** 42 })),
  events: fc.array(event, { maxLength: 16 }),
});

describe("a record's text", () => {
  it("comes back field for field, through the table's bytes or its spill, whatever the text", () => {
    const table = new RecordTable(3);
    fc.assert(
      fc.property(record, (r) => {
        // -0 is not JSON's: a price of -0 is stored as 0.
        const expected = Object.is(r.price, -0) ? { ...r, price: 0 } : r;
        const slot = table.full ? table.oldest : table.add("", 0, 0, undefined);
        table.write(slot, encodeRecord(r));
        expect(decodeRecord(table.text(slot))).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });

  it("keeps every text whose bytes end at or around the slot's size, multi-byte characters at the edge", () => {
    const table = new RecordTable(1);
    const slot = table.add("", 0, 0, undefined);
    for (const tail of ["", "é", "€", "😀", "😀é"]) {
      for (let bytes = textBytesPerRecord - 6; bytes <= textBytesPerRecord + 4; bytes++) {
        const head = Math.max(0, bytes - Buffer.byteLength(tail) - 4);
        const text = `["${"a".repeat(head)}${tail}"]`;
        table.write(slot, text);
        expect(table.text(slot)).toBe(text);
      }
    }
  });

  it("keeps a record larger than its bytes, and the bytes again once it is small", () => {
    const table = new RecordTable(2);
    const big = `["${"é".repeat(textBytesPerRecord)}"]`; // fewer units than the bytes, more bytes than fit
    const a = table.add(big, 1, 2, undefined);
    const b = table.add('["b"]', 1, 2, undefined);
    expect(table.text(a)).toBe(big);
    expect(table.text(b)).toBe('["b"]');
    table.write(a, '["a"]');
    expect(table.text(a)).toBe('["a"]');
    table.removeOldest();
    expect(table.holds(a, table.generation(a))).toBe(false);
    expect(table.holds(b, table.generation(b))).toBe(true);
  });
});

const sms = 600;
const voice = 300;
const retention = 5_000;

let serial = 0;
function sendRecord(at: number, channel: "sms" | "voice", key: string, userId: string): DeliveryRecord {
  serial += 1;
  return {
    ...{ deliveryId: `d-${serial}`, provider: "8x8", providerMessageId: `umid-${serial}`, channel },
    ...{ maskedPhone: "+44******0123", country: "GB", caller: serial % 2 ? "okta-hook" : "svc", purpose: "" },
    ...{ userId, idempotencyKey: key, traceId: "", spanId: "", acceptedAt: at, updatedAt: at, state: "sent" },
    events: [],
  };
}

describe("the memory store against a model", () => {
  it("finds what is kept, by every index, and forgets in age order at the cap and past retention", async () => {
    const op = fc.oneof(
      fc.record({
        create: fc.constantFrom("sms" as const, "voice" as const),
        key: fc.constantFrom("", "k1", "k2", "k3"),
        user: fc.constantFrom("", "u1", "u2"),
        judged: fc.boolean(),
      }),
      fc.record({ wait: fc.integer({ min: 0, max: 2_000 }) }),
      fc.record({ update: fc.nat() }),
      fc.record({ sweep: fc.constantFrom("receipt" as const, "conversion" as const) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 12 }), fc.array(op, { maxLength: 120 }), async (cap, ops) => {
        let clock = 1_000_000;
        const store = createMemoryDeliveryStore({ maxRecords: cap, retentionMs: retention, now: () => clock });
        const kept: { r: DeliveryRecord; receiptTaken: boolean; conversionAt?: number; conversionTaken: boolean }[] =
          [];
        for (const o of ops) {
          if ("create" in o) {
            while (kept.length >= cap || (kept.length > 0 && kept[0]!.r.acceptedAt <= clock - retention)) kept.shift();
            const r = sendRecord(clock, o.create, o.key, o.user);
            const conversionAt = o.judged ? clock + 900 : undefined;
            await store.create(r, { receiptAt: clock + (o.create === "sms" ? sms : voice), conversionAt });
            kept.push({ r, receiptTaken: false, conversionAt, conversionTaken: false });
          } else if ("wait" in o) {
            clock += o.wait;
          } else if ("update" in o && kept.length > 0) {
            const k = kept[o.update % kept.length]!;
            const live = k.r.acceptedAt > clock - retention;
            const next = { ...k.r, state: "delivered" as const, events: [{ state: "delivered" as const, at: clock }] };
            expect(await store.update(k.r.deliveryId, () => next)).toEqual(live ? next : undefined);
            if (live) k.r = next;
          } else if ("sweep" in o) {
            const taken = await store.takeDue(clock, 1_000, o.sweep);
            const due = kept.filter((k) =>
              o.sweep === "receipt"
                ? !k.receiptTaken && k.r.acceptedAt + (k.r.channel === "sms" ? sms : voice) <= clock
                : !k.conversionTaken && k.conversionAt !== undefined && k.conversionAt <= clock,
            );
            for (const k of due) {
              if (o.sweep === "receipt") k.receiptTaken = true;
              else k.conversionTaken = true;
            }
            expect(new Set(taken)).toEqual(new Set(due.map((k) => k.r.deliveryId)));
            expect(taken.length).toBe(due.length);
          }
          await expectFinds(
            store,
            kept.map((k) => k.r).filter((r) => r.acceptedAt > clock - retention),
          );
        }
        expect(store.size?.().records).toBe(kept.length);
      }),
      { numRuns: 200 },
    );
  });

  it("finds nothing under a key it never held, and nothing of another caller's", async () => {
    const store = createMemoryDeliveryStore({ maxRecords: 4, retentionMs: retention, now: () => 1 });
    const r = sendRecord(1, "sms", "k", "u");
    await store.create(r, { receiptAt: 2 });
    expect(await store.find({ kind: "key", caller: r.caller, idempotencyKey: "k" })).toBe(r.deliveryId);
    expect(await store.find({ kind: "key", caller: `${r.caller}x`, idempotencyKey: "k" })).toBeUndefined();
    // The caller's name and the key joined the other way round are not the same key.
    expect(
      await store.find({ kind: "key", caller: r.caller.slice(0, -1), idempotencyKey: `${r.caller.at(-1)}k` }),
    ).toBeUndefined();
    expect(await store.find({ kind: "key", caller: r.caller, idempotencyKey: "" })).toBeUndefined();
    expect(await store.find({ kind: "user", scope: userScopeOf(r), userId: "" })).toBeUndefined();
    expect(await store.get("d-none")).toBeUndefined();
  });

  it("keeps two callers' keys apart that join to the same text", async () => {
    const store = createMemoryDeliveryStore({ maxRecords: 4, retentionMs: retention, now: () => 1 });
    const first = { ...sendRecord(1, "sms", "c", ""), caller: "ab" };
    const second = { ...sendRecord(1, "sms", "bc", ""), caller: "a" };
    await store.create(first, { receiptAt: 2 });
    await store.create(second, { receiptAt: 2 });
    expect(await store.find({ kind: "key", caller: "ab", idempotencyKey: "c" })).toBe(first.deliveryId);
    expect(await store.find({ kind: "key", caller: "a", idempotencyKey: "bc" })).toBe(second.deliveryId);
  });
});

type Store = ReturnType<typeof createMemoryDeliveryStore>;

/** Each live record by id and provider id; the latest live holder of each key and user. */
async function expectFinds(store: Store, live: DeliveryRecord[]) {
  for (const r of live) {
    expect(await store.get(r.deliveryId)).toEqual(r);
    expect(await store.find({ kind: "provider", providerMessageId: r.providerMessageId })).toBe(r.deliveryId);
  }
  for (const caller of ["okta-hook", "svc"]) {
    for (const key of ["k1", "k2", "k3"]) {
      const latest = live.findLast((r) => r.caller === caller && r.idempotencyKey === key);
      expect(await store.find({ kind: "key", caller, idempotencyKey: key })).toBe(latest?.deliveryId);
    }
  }
  for (const r of live) {
    if (r.userId === "") continue;
    const scope = userScopeOf(r);
    const latest = live.findLast((x) => userScopeOf(x) === scope && x.userId === r.userId);
    expect(await store.find({ kind: "user", scope, userId: r.userId })).toBe(latest?.deliveryId);
  }
}
