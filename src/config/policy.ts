import { isSupportedCountry, type NumberType } from "libphonenumber-js/max";
import type { z } from "zod";
import { nonGeographicRegion } from "../phone.js";
import { type DestinationPolicy, defaultNumberTypes, knownNumberTypes } from "../policy/destination-policy.js";
import type { RateLimitSettings } from "../policy/limits.js";
import { choice, flag, int, limit, list } from "./env.js";

export interface PolicyConfig {
  readonly destinationPolicy: DestinationPolicy;
  readonly rateLimits: RateLimitSettings;
  /** Whether sends go ahead when the rate-limit store cannot be reached. */
  readonly rateLimitFailOpen: boolean;
  /** Keys each per-number or per-user limit remembers in memory. */
  readonly rateLimitMaxKeys: number;
}

const countryList = list((items, ctx) => {
  const codes = (items ?? []).map((c) => c.toUpperCase());
  for (const c of codes) {
    if (!isSupportedCountry(c) && c !== nonGeographicRegion) {
      ctx.addIssue({ code: "custom", message: `${c} is not an ISO 3166-1 alpha-2 region (or 001, no country)` });
    }
  }
  return items === undefined ? undefined : new Set(codes);
});

const numberTypes = (fallback: readonly NumberType[]) =>
  list((items, ctx) => {
    if (items === undefined) return new Set(fallback);
    const types = items.map((t) => t.toUpperCase());
    for (const t of types) {
      if (!knownNumberTypes.includes(t as NumberType)) {
        ctx.addIssue({ code: "custom", message: `${t} is not one of ${knownNumberTypes.join(", ")}` });
      }
    }
    return new Set(types as NumberType[]);
  });

export const policyVariables = {
  ALLOWED_COUNTRIES: countryList,
  BLOCKED_COUNTRIES: countryList,
  SMS_ALLOWED_COUNTRIES: countryList,
  SMS_BLOCKED_COUNTRIES: countryList,
  VOICE_ALLOWED_COUNTRIES: countryList,
  VOICE_BLOCKED_COUNTRIES: countryList,
  SMS_NUMBER_TYPES: numberTypes(defaultNumberTypes.sms),
  VOICE_NUMBER_TYPES: numberTypes(defaultNumberTypes.voice),
  RATE_LIMIT_PER_PHONE: limit("5/10m"),
  RATE_LIMIT_PER_PHONE_ENROLLMENT: limit("3/1h"),
  RATE_LIMIT_PER_USER: limit("10/1h"),
  RATE_LIMIT_PER_COUNTRY: limit("300/1m"),
  RATE_LIMIT_GLOBAL: limit("1000/1m"),
  RATE_LIMIT_PER_PREFIX: limit("30/10m"),
  RATE_LIMIT_PER_IP: limit("off"),
  RATE_LIMIT_FAIL_MODE: choice(["open", "closed"], "open"),
  RATE_LIMIT_MAX_KEYS: int(50_000, 1_000, 10_000_000),
  ALLOW_NON_GEOGRAPHIC: flag(false),
};

type PolicyEnv = z.output<z.ZodObject<typeof policyVariables>>;

/** Toll-fraud defences: who may receive a code, and how many. */
export function readPolicy(e: PolicyEnv): PolicyConfig {
  return {
    destinationPolicy: {
      sms: {
        allowedCountries: e.SMS_ALLOWED_COUNTRIES ?? e.ALLOWED_COUNTRIES ?? new Set(),
        blockedCountries: e.SMS_BLOCKED_COUNTRIES ?? e.BLOCKED_COUNTRIES ?? new Set(),
        allowedNumberTypes: e.SMS_NUMBER_TYPES,
        allowNonGeographic: e.ALLOW_NON_GEOGRAPHIC,
      },
      voice: {
        allowedCountries: e.VOICE_ALLOWED_COUNTRIES ?? e.ALLOWED_COUNTRIES ?? new Set(),
        blockedCountries: e.VOICE_BLOCKED_COUNTRIES ?? e.BLOCKED_COUNTRIES ?? new Set(),
        allowedNumberTypes: e.VOICE_NUMBER_TYPES,
        allowNonGeographic: e.ALLOW_NON_GEOGRAPHIC,
      },
    },
    rateLimits: {
      perPhone: e.RATE_LIMIT_PER_PHONE,
      perPhoneEnrollment: e.RATE_LIMIT_PER_PHONE_ENROLLMENT,
      perUser: e.RATE_LIMIT_PER_USER,
      perCountry: e.RATE_LIMIT_PER_COUNTRY,
      global: e.RATE_LIMIT_GLOBAL,
      perPrefix: e.RATE_LIMIT_PER_PREFIX,
      perIp: e.RATE_LIMIT_PER_IP,
    },
    rateLimitFailOpen: e.RATE_LIMIT_FAIL_MODE === "open",
    rateLimitMaxKeys: e.RATE_LIMIT_MAX_KEYS,
  };
}
