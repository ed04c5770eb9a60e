import {
  type CountryCode,
  getCountries,
  getCountryCallingCode,
  getExampleNumber,
  Metadata,
  parsePhoneNumberFromString,
} from "libphonenumber-js/max";
import examples from "libphonenumber-js/mobile/examples";
import { describe, expect, it } from "vitest";
import { parsePhoneNumber } from "../src/phone.js";
import { lineType } from "../src/phone-type.js";

// Calling codes of no country (satellite, international networks), from the metadata.
const nonGeographic = ["800", "808", "870", "878", "881", "882", "883", "888", "979"];

/** A repeatable digit source, so a failure names numbers that fail again. */
function digits(seed: number): (n: number) => string {
  let state = seed;
  return (n) => {
    let out = "";
    for (let i = 0; i < n; i++) {
      state = (state * 1103515245 + 12345) % 2 ** 31;
      out += String(Math.floor((state / 2 ** 31) * 10));
    }
    return out;
  };
}

/** Numbers of every possible length in a plan, random and derived from its example mobile. */
function candidates(plan: CountryCode | string, next: (n: number) => string): string[] {
  const metadata = new Metadata();
  metadata.selectNumberingPlan(plan as CountryCode);
  const callingCode = /^\d+$/.test(plan) ? plan : getCountryCallingCode(plan as CountryCode);
  const numbers: string[] = [];
  for (const length of metadata.numberingPlan?.possibleLengths() ?? []) {
    for (let i = 0; i < 60; i++) numbers.push(`+${callingCode}${next(length)}`);
  }
  const example = /^\d+$/.test(plan) ? undefined : getExampleNumber(plan as CountryCode, examples);
  if (example) {
    const national = example.nationalNumber;
    for (let keep = 1; keep <= national.length; keep++) {
      numbers.push(`+${callingCode}${national.slice(0, keep)}${next(national.length - keep)}`);
    }
  }
  return numbers;
}

describe("lineType", () => {
  it("gives libphonenumber's getType() for numbers of every length in every numbering plan", () => {
    const next = digits(20261201);
    const seen = new Set<string>();
    const disagreements: string[] = [];
    let compared = 0;
    for (const plan of [...getCountries(), ...nonGeographic]) {
      for (const number of candidates(plan, next)) {
        const parsed = parsePhoneNumberFromString(number, { extract: false });
        if (!parsed) continue;
        compared++;
        const expected = parsed.getType();
        const actual = lineType(parsed.nationalNumber, parsed.country ?? parsed.countryCallingCode);
        if (actual !== expected) disagreements.push(`${number}: ${actual} instead of ${expected}`);
        seen.add(String(expected));
      }
    }
    expect(disagreements.slice(0, 10)).toEqual([]);
    // Enough numbers of enough kinds that agreement means something.
    expect(compared).toBeGreaterThan(30_000);
    for (const type of [
      "MOBILE",
      "FIXED_LINE",
      "FIXED_LINE_OR_MOBILE",
      "TOLL_FREE",
      "PREMIUM_RATE",
      "VOIP",
      "undefined",
    ])
      expect(seen, type).toContain(type);
  });

  it("is what parsePhoneNumber records for the destination policy", () => {
    expect(parsePhoneNumber("+447400123456").type).toBe("MOBILE");
    expect(parsePhoneNumber("+442079460123").type).toBe("FIXED_LINE");
    expect(parsePhoneNumber("+14155552671").type).toBe("FIXED_LINE_OR_MOBILE");
    expect(parsePhoneNumber("+449098790123").type).toBe("PREMIUM_RATE");
    expect(parsePhoneNumber("+8816123456789").type).toBe("MOBILE");
  });
});
