import { getCountries, parsePhoneNumberFromString } from "libphonenumber-js/max";
import { describe, expect, it } from "vitest";
import { PhoneNumberError, parsePhoneNumber } from "../src/phone.js";
import { readInternational } from "../src/phone-international.js";
import { candidates, digits, nonGeographic } from "./support/phone-numbers.js";

/** What libphonenumber's own parser makes of a number, in the gateway's terms. */
function byLibrary(number: string): string {
  const parsed = parsePhoneNumberFromString(number, { extract: false });
  if (!parsed?.isValid()) return "invalid";
  return `${parsed.number} ${parsed.country ?? "001"} ${parsed.getType()}`;
}

function byGateway(number: string): string {
  try {
    const read = parsePhoneNumber(number);
    return `${read.e164} ${read.region} ${read.type}`;
  } catch {
    return "invalid";
  }
}

describe("readInternational", () => {
  it("reads numbers of every plan as libphonenumber's parser does, or leaves them to it", () => {
    const next = digits(20261202);
    const disagreements: string[] = [];
    let read = 0;
    let valid = 0;
    let left = 0;
    for (const plan of [...getCountries(), ...nonGeographic]) {
      for (const number of candidates(plan, next)) {
        const expected = byLibrary(number);
        const fast = readInternational(number);
        if (fast) read++;
        else if (expected !== "invalid") left++;
        if (expected !== "invalid") valid++;
        const actual = byGateway(number);
        if (actual !== expected) disagreements.push(`${number}: ${actual} instead of ${expected}`);
      }
    }
    expect(disagreements.slice(0, 10)).toEqual([]);
    // The fast path must carry most valid numbers, or it buys nothing; the rest must exist too,
    // or the fallback went untested.
    expect(valid).toBeGreaterThan(8_000);
    expect(read).toBeGreaterThan(valid * 0.8);
    expect(left).toBeGreaterThan(50);
  });

  it("leaves a national prefix, a shared code's unclaimed number and no type to the parser", () => {
    expect(readInternational("+4407400123456")).toBeUndefined();
    expect(readInternational("+4418002012345")).toBeUndefined();
    expect(readInternational("+44123")).toBeUndefined();
    expect(readInternational("+0123456789")).toBeUndefined();
    expect(parsePhoneNumber("+4407400123456").e164).toBe("+447400123456");
    // Belarus's national prefix is "8": the parser reads 8 10 294 9119, which is not a number,
    // although 810 294 9119 would be a premium-rate one. Found by trying every one- to
    // three-digit prefix before every country's example mobile (1.4 million numbers).
    expect(readInternational("+3758102949119")).toBeUndefined();
    expect(() => parsePhoneNumber("+3758102949119")).toThrow(PhoneNumberError);
  });

  it("picks the country of a shared calling code", () => {
    expect(readInternational("+447400123456")).toMatchObject({ country: "GB", type: "MOBILE" });
    expect(readInternational("+447781123456")?.country).toBe("GG");
    expect(readInternational("+16135550123")?.country).toBe("CA");
    expect(readInternational("+8816123456789")).toMatchObject({ country: undefined, callingCode: "881" });
  });
});
