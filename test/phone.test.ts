import { describe, expect, it } from "vitest";
import { maskPhoneNumber, PhoneNumberError, parsePhoneNumber } from "../src/phone.js";

describe("parsePhoneNumber", () => {
  it.each([
    ["+447911123456", undefined, "+447911123456", "+44******3456"],
    ["+44 (0) 7911 123-456".replace(" (0)", ""), undefined, "+447911123456", "+44******3456"],
    ["07911 123456", "GB", "+447911123456", "+44******3456"],
    ["(415) 555-2671", "US", "+14155552671", "+1******2671"],
    ["+14155552671", "GB", "+14155552671", "+1******2671"],
    ["+6591234567", undefined, "+6591234567", "+65****4567"],
  ] as const)("reads %j (region %s) as %s", (input, region, e164, masked) => {
    const phone = parsePhoneNumber(input, region);
    expect(phone.e164).toBe(e164);
    expect(phone.masked).toBe(masked);
  });

  it.each([
    ["", "missing"],
    ["9876543210", "needs_region"],
    ["+1 987 654 3210", "invalid"],
    ["+44abc", "invalid"],
    [`+${"1".repeat(60)}`, "invalid"],
    ["+447700900123", "invalid"],
  ])("refuses %j (%s) without echoing it", (input, problem) => {
    let caught: unknown;
    try {
      parsePhoneNumber(input);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(PhoneNumberError);
    expect((caught as PhoneNumberError).problem).toBe(problem);
    if (input.length > 4) expect((caught as Error).message).not.toContain(input.slice(-4));
  });

  it("records the line type for later policy", () => {
    expect(parsePhoneNumber("+447400123456")).toMatchObject({ type: "MOBILE", region: "GB" });
    // Same +44 calling code, another region: country policy must use the region, not the prefix.
    expect(parsePhoneNumber("+447911123456")).toMatchObject({ type: "MOBILE", region: "GG" });
  });

  it("reads a national number by its region every time, however often it was read before", () => {
    for (let round = 0; round < 2; round++) {
      expect(parsePhoneNumber("612345678", "NL")).toMatchObject({ e164: "+31612345678", region: "NL" });
      expect(parsePhoneNumber("612345678", "ES")).toMatchObject({ e164: "+34612345678", region: "ES" });
      expect(parsePhoneNumber("+31612345678")).toMatchObject({ e164: "+31612345678", region: "NL" });
    }
    // After many other numbers the first ones are read afresh, with the same answer.
    for (let i = 0; i < 2000; i++) parsePhoneNumber(`+4474001${String(10000 + i)}`);
    expect(parsePhoneNumber("612345678", "ES")).toMatchObject({ e164: "+34612345678", region: "ES", type: "MOBILE" });
    expect(() => parsePhoneNumber("612345678")).toThrow(PhoneNumberError);
  });
});

describe("maskPhoneNumber", () => {
  it("keeps the country code and last four digits", () => {
    expect(maskPhoneNumber("+447911123456")).toBe("+44******3456");
    expect(maskPhoneNumber("14155552671")).toBe("+1******2671");
    expect(maskPhoneNumber("+123")).toBe("+***");
  });
});
