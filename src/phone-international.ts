import { type CountryCode, Metadata, type NumberType } from "libphonenumber-js/max";
import { lineType } from "./phone-type.js";

/** A "+…" number read without libphonenumber's parser, when it is certain to agree. */
export interface InternationalNumber {
  readonly callingCode: string;
  readonly nationalNumber: string;
  /** undefined for a non-geographic calling code (+800, +881, …), as libphonenumber has it. */
  readonly country: CountryCode | undefined;
  readonly type: NonNullable<NumberType>;
}

/**
 * Reads "+" and digits the way libphonenumber-js's parse does, for the common case only: a
 * number with a line type whose digits after the calling code start with no national prefix.
 * Anything else (a national prefix or carrier code to strip, a number no country claims, no
 * type) gives undefined, and the caller asks libphonenumber. The parser picks the country of a
 * shared calling code (+1, +44, +7, …) by building a RegExp for each pattern it tries; this does
 * the same with patterns compiled once per calling code. test/phone-international.test.ts
 * checks that both agree, so a library upgrade that changes the rules fails there.
 */
export function readInternational(compact: string): InternationalNumber | undefined {
  if (compact.charCodeAt(0) !== plus || compact.charCodeAt(1) === zero) return undefined;
  // As the parser: the shortest prefix of up to three digits that is a calling code.
  for (let end = 2; end <= 4 && end <= compact.length; end++) {
    const callingCode = compact.slice(1, end);
    const plan = callingPlans.get(callingCode) ?? compileCallingPlan(callingCode);
    if (plan === noPlan) continue;
    return readNational(callingCode, plan, compact.slice(end));
  }
  return undefined;
}

// libphonenumber's bounds on a national significant number.
const minNationalLength = 2;
const maxNationalLength = 17;
const plus = 43;
const zero = 48;

function readNational(callingCode: string, plan: CallingPlan, national: string): InternationalNumber | undefined {
  if (national.length < minNationalLength || national.length > maxNationalLength) return undefined;
  // The parser strips what this matches (a national prefix such as "0", a carrier code): leave
  // every such number to it. An empty match strips nothing.
  const prefix = plan.prefixForParsing?.exec(national);
  if (prefix && prefix[0] !== "") return undefined;
  const country = plan.countries.length === 1 ? plan.countries[0]!.code : countryOf(plan, national);
  if (country === undefined && plan.countries.length > 0) return undefined;
  const type = lineType(national, country ?? callingCode);
  if (type === undefined) return undefined;
  return { callingCode, nationalNumber: national, country, type };
}

/** getCountryByNationalNumber's rule: leading digits where a country has them, else a type. */
function countryOf(plan: CallingPlan, national: string): CountryCode | undefined {
  for (const country of plan.countries) {
    if (country.leadingDigits) {
      if (country.leadingDigits.test(national)) return country.code;
    } else if (lineType(national, country.code) !== undefined) return country.code;
  }
  return undefined;
}

interface CallingPlan {
  /** The main country's national prefix for parsing, anchored at the start. */
  readonly prefixForParsing: RegExp | undefined;
  /** In the metadata's order, which is the order the parser tries them in; [] if non-geographic. */
  readonly countries: readonly { readonly code: CountryCode; readonly leadingDigits: RegExp | undefined }[];
}

// What the parser reads from the metadata and libphonenumber-js's types leave out.
interface MetadataInternals {
  hasCallingCode(callingCode: string): boolean;
  getCountryCodesForCallingCode(callingCode: string): CountryCode[] | undefined;
  leadingDigits(): string | undefined;
  numberingPlan: { nationalPrefixForParsing(): string | undefined };
}

const noPlan: CallingPlan = { prefixForParsing: undefined, countries: [] };
// Keys are one to three digits: at most 1,110 entries, each a calling code or a known miss.
const callingPlans = new Map<string, CallingPlan>();
const metadata = new Metadata() as unknown as MetadataInternals & Metadata;

function compileCallingPlan(callingCode: string): CallingPlan {
  if (!metadata.hasCallingCode(callingCode)) {
    callingPlans.set(callingCode, noPlan);
    return noPlan;
  }
  metadata.selectNumberingPlan(callingCode as CountryCode);
  const prefix = metadata.numberingPlan.nationalPrefixForParsing();
  const countries = (metadata.getCountryCodesForCallingCode(callingCode) ?? []).map((code) => {
    metadata.selectNumberingPlan(code);
    const leading = metadata.leadingDigits();
    return { code, leadingDigits: leading ? new RegExp(`^(?:${leading})`) : undefined };
  });
  const plan: CallingPlan = { prefixForParsing: prefix ? new RegExp(`^(?:${prefix})`) : undefined, countries };
  callingPlans.set(callingCode, plan);
  return plan;
}
