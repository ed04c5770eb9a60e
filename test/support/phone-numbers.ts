import { type CountryCode, getCountryCallingCode, getExampleNumber, Metadata } from "libphonenumber-js/max";
import examples from "libphonenumber-js/mobile/examples";

// Calling codes of no country (satellite, international networks), from the metadata.
export const nonGeographic = ["800", "808", "870", "878", "881", "882", "883", "888", "979"];

/** A repeatable digit source, so a failure names numbers that fail again. */
export function digits(seed: number): (n: number) => string {
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

/**
 * "+…" numbers of every possible length in a plan, random and derived from its example mobile,
 * and the example behind its national prefix ("+44 0 7400…"), which parsing strips.
 */
export function candidates(plan: CountryCode | string, next: (n: number) => string): string[] {
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
    for (const prefix of ["0", "1", "00", "01", "15", "8"]) numbers.push(`+${callingCode}${prefix}${national}`);
  }
  return numbers;
}
