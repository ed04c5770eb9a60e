import { z } from "zod";
import type { CarrierOptions } from "../carrier/index.js";
import { blankToUndefined, type Deployment, httpUrl, int, optionalChoice, optionalString } from "./env.js";

export interface CarrierConfig {
  /** The sandbox unless 8x8 credentials are set. */
  readonly carrier: CarrierOptions;
  readonly carrierMaxRetries: number;
  readonly circuitBreaker: { readonly failureThreshold: number; readonly cooldownMs: number };
}

// 8x8 documents this pattern for subaccount ids; checking it here turns a typo into a start-up
// error instead of a 404 on the first sign-in.
const subaccountId = z.preprocess(
  blankToUndefined,
  z
    .string()
    .regex(/^[A-Za-z0-9\-._&]{3,50}$/, "must match 8x8's subaccount id pattern")
    .optional(),
);

export const carrierVariables = {
  EIGHTBYEIGHT_API_KEY: optionalString,
  EIGHTBYEIGHT_SUBACCOUNT_ID: subaccountId,
  EIGHTBYEIGHT_SMS_URL: httpUrl("https://sms.8x8.com"),
  EIGHTBYEIGHT_SMS_SOURCE: z.preprocess(
    blankToUndefined,
    z.string().max(16, "8x8 allows at most 16 characters").optional(),
  ),
  EIGHTBYEIGHT_VOICE_URL: httpUrl("https://voice.8x8.com"),
  EIGHTBYEIGHT_VOICE_SUBACCOUNT_ID: subaccountId,
  EIGHTBYEIGHT_VOICE_SOURCE: z.preprocess(
    blankToUndefined,
    z
      .string()
      .regex(/^\+?[1-9]\d{5,14}$/, "must be a phone number in international format")
      .optional(),
  ),
  EIGHTBYEIGHT_VOICE_PROFILE: optionalString,
  EIGHTBYEIGHT_VOICE_PROFILES_REFRESH_MS: int(6 * 3_600_000, 0, 7 * 24 * 3_600_000),
  EIGHTBYEIGHT_VOICE_GENDER: optionalChoice(["female", "male"]),
  CARRIER_MAX_RETRIES: int(1, 0, 3),
  CIRCUIT_FAILURE_THRESHOLD: int(5, 1, 1000),
  CIRCUIT_COOLDOWN_MS: int(10_000, 100, 600_000),
};

type CarrierEnv = z.output<z.ZodObject<typeof carrierVariables>>;

/** The carrier and how it is protected (retries, circuit breaker). */
export function readCarrier(e: CarrierEnv, problems: string[], deployment: Deployment): CarrierConfig {
  let carrier: CarrierOptions = { mode: "sandbox" };
  if (deployment.servesService && e.EIGHTBYEIGHT_API_KEY) {
    if (!e.EIGHTBYEIGHT_SUBACCOUNT_ID) problems.push("EIGHTBYEIGHT_SUBACCOUNT_ID: required with EIGHTBYEIGHT_API_KEY");
    const subaccount = e.EIGHTBYEIGHT_SUBACCOUNT_ID ?? "";
    carrier = {
      mode: "8x8",
      apiKey: e.EIGHTBYEIGHT_API_KEY,
      sms: { baseUrl: e.EIGHTBYEIGHT_SMS_URL, subaccountId: subaccount, source: e.EIGHTBYEIGHT_SMS_SOURCE },
      voice: e.EIGHTBYEIGHT_VOICE_SOURCE
        ? {
            baseUrl: e.EIGHTBYEIGHT_VOICE_URL,
            subaccountId: e.EIGHTBYEIGHT_VOICE_SUBACCOUNT_ID ?? subaccount,
            source: e.EIGHTBYEIGHT_VOICE_SOURCE,
            profileOverride: e.EIGHTBYEIGHT_VOICE_PROFILE,
            profilesRefreshMs: e.EIGHTBYEIGHT_VOICE_PROFILES_REFRESH_MS,
            gender: e.EIGHTBYEIGHT_VOICE_GENDER,
          }
        : undefined,
    };
  } else if (deployment.servesService && deployment.production) {
    problems.push(
      "EIGHTBYEIGHT_API_KEY: required when NODE_ENV=production; the sandbox carrier delivers nothing and refuses to run in production",
    );
  }
  return {
    carrier,
    carrierMaxRetries: e.CARRIER_MAX_RETRIES,
    circuitBreaker: { failureThreshold: e.CIRCUIT_FAILURE_THRESHOLD, cooldownMs: e.CIRCUIT_COOLDOWN_MS },
  };
}
