import { describe, expect, it } from "vitest";
import { codeHash, deriveKeys, indexKey, newCode, sameHash, seal, unseal } from "../src/verify/codes.js";
import { createMemoryVerificationStore } from "../src/verify/memory-store.js";
import type { VerificationRecord } from "../src/verify/verification.js";

const keys = deriveKeys("vk-3Jq9Xw2Lm8Rt5Zp1Cv7Bn4Hd6Fs0Ka");

describe("codes", () => {
  it("are uniform digit strings of the asked length, leading zeros included", () => {
    const codes = Array.from({ length: 20_000 }, () => newCode(4));
    expect(codes.every((c) => /^\d{4}$/.test(c))).toBe(true);
    const firstDigits = new Map<string, number>();
    for (const c of codes) firstDigits.set(c[0]!, (firstDigits.get(c[0]!) ?? 0) + 1);
    // Each leading digit near 2,000 of 20,000 (a loose bound: 5 sigma).
    for (const d of "0123456789") expect(Math.abs((firstDigits.get(d) ?? 0) - 2_000)).toBeLessThan(220);
    expect(newCode(10)).toMatch(/^\d{10}$/);
  });

  it("are checked by keyed hash bound to the verification, and sealed so only the key opens them", () => {
    const hash = codeHash(keys, "v1", "482913");
    expect(hash).not.toContain("482913");
    expect(sameHash(hash, codeHash(keys, "v1", "482913"))).toBe(true);
    expect(sameHash(hash, codeHash(keys, "v2", "482913"))).toBe(false);
    expect(sameHash(hash, codeHash(deriveKeys("another-key-0123456789abcdefghij"), "v1", "482913"))).toBe(false);
    const sealed = seal(keys, "v1", { code: "482913", e164: "+447400120123" });
    expect(sealed).not.toContain("482913");
    expect(unseal(keys, "v1", sealed)).toEqual({ code: "482913", e164: "+447400120123" });
    expect(() => unseal(keys, "v2", sealed)).toThrow();
    expect(indexKey(keys, "c", "+447400120123", "login")).not.toContain("7400120123");
  });
});

describe("the memory store", () => {
  const record = (i: number, expiresAt: number): VerificationRecord => ({
    id: `v${i}`,
    caller: "c",
    state: "pending",
    codeHash: "00",
    sealed: "",
    indexKey: `i${i}`,
    maskedPhone: "+44******0123",
    region: "GB",
    purpose: "",
    userId: "",
    locale: "",
    plan: ["sms"],
    channels: [],
    deliveryIds: [],
    sends: 1,
    lastSendAt: 0,
    lastKey: "",
    attempts: 0,
    maxAttempts: 5,
    maxSends: 5,
    createdAt: 0,
    expiresAt,
  });

  it("holds at most its cap, the newest kept, and forgets a record past its time", async () => {
    let now = 1_000;
    const store = createMemoryVerificationStore({ maxRecords: 1_000, now: () => now });
    for (let i = 0; i < 5_000; i++) await store.create(record(i, now + 60_000), now + 60_000);
    expect(store.size!()).toBe(1_000);
    expect(await store.get("v4999")).toBeDefined();
    expect(await store.get("v0")).toBeUndefined();
    now += 60_001;
    expect(await store.get("v4999")).toBeUndefined();
    expect(await store.find("i4999")).toBeUndefined();
  });

  it("keeps one pending verification per index key", async () => {
    const store = createMemoryVerificationStore({ maxRecords: 10 });
    expect(await store.create(record(1, Date.now() + 60_000), Date.now() + 60_000)).toEqual({ created: true });
    const second = { ...record(2, Date.now() + 60_000), indexKey: "i1" };
    expect(await store.create(second, Date.now() + 60_000)).toEqual({ created: false, id: "v1" });
    await store.update("v1", (r) => ({ ...r, state: "approved" }));
    expect(await store.create(second, Date.now() + 60_000)).toEqual({ created: true });
    expect(await store.find("i1")).toBe("v2");
  });
});
