import { type CountryCode, type NumberType, parsePhoneNumberFromString } from "libphonenumber-js/max";
import { readInternational } from "./phone-international.js";
import { lineType } from "./phone-type.js";

/** A destination that passed validation, in the forms the gateway needs. */
export interface PhoneNumber {
  /** "+447700900123": what the carrier gets and what keys are built from. Never log it. */
  readonly e164: string;
  /** "+44******0123": safe for logs, spans and answers. */
  readonly masked: string;
  /**
   * ISO region of the number when the metadata knows it ("GB"), or "001" for a valid number of a
   * non-geographic calling code (satellite +881, Inmarsat +870, international networks +882/+883).
   */
  readonly region?: CountryCode | typeof nonGeographicRegion;
  /** libphonenumber's line type ("MOBILE", "FIXED_LINE", "PREMIUM_RATE", …) when known. */
  readonly type?: NumberType;
}

/** The region code libphonenumber and the ITU give numbers that belong to no country. */
export const nonGeographicRegion = "001";

export type PhoneNumberProblem = "missing" | "needs_region" | "invalid";

/** Why a phone number was refused. The message never contains the number. */
export class PhoneNumberError extends Error {
  constructor(readonly problem: PhoneNumberProblem) {
    super(
      problem === "missing"
        ? "phone number is missing"
        : problem === "needs_region"
          ? "phone number has no country code (+…) and no default region is configured"
          : "phone number is not a valid number",
    );
    this.name = "PhoneNumberError";
  }
}

// Longer input than this is not a phone number; refusing early keeps the parser's work bounded.
const maxInputLength = 40;
const formatting = /[\s().\-\u00a0]/g;

/**
 * Reads a destination number. "+…" is read as international. A number without "+" is read as
 * a national number of `defaultRegion`; with no region it is refused rather than guessed,
 * because guessing a country for "9876543210" (Okta's preview placeholder) could ring a
 * stranger abroad at our expense.
 */
export function parsePhoneNumber(input: string, defaultRegion?: CountryCode): PhoneNumber {
  const text = input.trim();
  if (text === "") throw new PhoneNumberError("missing");
  if (text.length > maxInputLength) throw new PhoneNumberError("invalid");
  const compact = text.replace(formatting, "");
  if (!/^\+?\d+$/.test(compact)) throw new PhoneNumberError("invalid");
  if (!compact.startsWith("+") && defaultRegion === undefined) throw new PhoneNumberError("needs_region");
  // Most numbers arrive as "+…" with a type: read without the parser (phone-international.ts).
  const read = readInternational(compact);
  if (read !== undefined) return phoneOf(read.callingCode, read.nationalNumber, read.country, read.type);

  // extract: false, because `compact` is only digits: there is no free text to search.
  const parsed = parsePhoneNumberFromString(
    compact,
    defaultRegion ? { defaultCountry: defaultRegion, extract: false } : { extract: false },
  );
  if (parsed === undefined) throw new PhoneNumberError("invalid");
  // Matching the line-type patterns is the costly part, and isValid() does exactly that for
  // every region with type patterns; a number with a type is valid, so isValid() is only asked
  // about the rest. lineType() is getType() with its patterns compiled once (phone-type.ts).
  const type = lineType(parsed.nationalNumber, parsed.country ?? parsed.countryCallingCode);
  if (type === undefined && !parsed.isValid()) throw new PhoneNumberError("invalid");
  return phoneOf(parsed.countryCallingCode, parsed.nationalNumber, parsed.country, type);
}

/** The forms of a valid number, however it was read. */
function phoneOf(
  callingCode: string,
  national: string,
  country: CountryCode | undefined,
  type: NumberType,
): PhoneNumber {
  const e164 = `+${callingCode}${national}`;
  return { e164, masked: maskDigits(e164, callingCode.length), region: country ?? nonGeographicRegion, type };
}

/**
 * Hides all digits but the country code and the last four: "+447911123456" → "+44******3456".
 * Works on anything digit-like so it is safe to call on unvalidated input too.
 */
export function maskPhoneNumber(value: string): string {
  const callingCode = parsePhoneNumberFromString(value.startsWith("+") ? value : `+${value}`)?.countryCallingCode;
  return maskDigits(value, callingCode?.length ?? 2);
}

function maskDigits(value: string, countryCodeLength: number): string {
  const digits = value.replace(/\D/g, "");
  if (digits.length <= 6) return `+${"*".repeat(digits.length)}`;
  const head = digits.slice(0, Math.min(countryCodeLength, 3));
  const tail = digits.slice(-4);
  return `+${head}${"*".repeat(digits.length - head.length - tail.length)}${tail}`;
}
