import { getCountries, parsePhoneNumberFromString } from "libphonenumber-js/max";
import { describe, expect, it } from "vitest";
import { parsePhoneNumber } from "../src/phone.js";
import { lineType } from "../src/phone-type.js";
import { candidates, digits, nonGeographic } from "./support/phone-numbers.js";

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
