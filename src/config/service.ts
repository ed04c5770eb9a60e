import { type CountryCode, isSupportedCountry } from "libphonenumber-js/max";
import { z } from "zod";
import { hookCallerName } from "../otp/caller.js";
import { blankToUndefined, type Deployment, int, list, optionalUrl } from "./env.js";

export interface ServiceConfig {
  readonly defaultPhoneRegion?: CountryCode;
  /** Network callers of OtpService by name → key. Empty: open in the sandbox, closed when live. */
  readonly apiKeys: ReadonlyMap<string, string>;
  /** Callers (names from OTP_API_KEYS) that may read every caller's delivery records. */
  readonly adminCallers: ReadonlySet<string>;
  readonly idempotency: { readonly ttlMs: number; readonly maxKeys: number };
  readonly maxConcurrentSends: number;
  /** Shared state (idempotency, limits) in Redis; memory when absent. */
  readonly store?: { readonly url: string; readonly prefix: string; readonly timeoutMs: number };
  readonly smsTemplate: string;
}

// "billing:6f1c…,auth-service:9a2e…": named keys so the caller's name can be logged and traced.
const apiKeyList = list((items, ctx) => {
  const keys = new Map<string, string>();
  for (const item of items ?? []) {
    const sep = item.indexOf(":");
    const name = sep > 0 ? item.slice(0, sep).trim() : "";
    const key = sep > 0 ? item.slice(sep + 1).trim() : "";
    if (!/^[A-Za-z0-9._-]{1,64}$/.test(name) || key.length < 16) {
      ctx.addIssue({ code: "custom", message: "each entry must be name:key with a key of at least 16 characters" });
      return keys;
    }
    if (keys.has(name)) ctx.addIssue({ code: "custom", message: `caller name ${name} is listed twice` });
    if (name === hookCallerName) {
      ctx.addIssue({ code: "custom", message: `caller name ${name} is the in-process Okta hook's; pick another` });
    }
    keys.set(name, key);
  }
  return keys;
});

export const serviceVariables = {
  DEFAULT_PHONE_REGION: z.preprocess(
    blankToUndefined,
    z
      .string()
      .transform((r) => r.toUpperCase())
      .refine((r) => isSupportedCountry(r), "must be an ISO 3166-1 alpha-2 region such as US or GB")
      .optional(),
  ),
  OTP_SMS_TEMPLATE: z.preprocess(
    blankToUndefined,
    z
      .string()
      .refine((t) => t.includes("{code}"), "must contain {code}")
      .default("Your verification code is {code}"),
  ),
  OTP_API_KEYS: apiKeyList,
  OTP_ADMIN_KEYS: list((items) => new Set(items ?? [])),
  IDEMPOTENCY_TTL_MS: int(15 * 60_000, 60_000, 24 * 3_600_000),
  IDEMPOTENCY_MAX_KEYS: int(25_000, 100, 10_000_000),
  MAX_CONCURRENT_SENDS: int(256, 1, 100_000),
  OTP_STORE_URL: optionalUrl(/^rediss?$/, "must be a redis:// or rediss:// URL"),
  OTP_STORE_PREFIX: z.preprocess(blankToUndefined, z.string().max(64).default("otpgw:")),
  OTP_STORE_TIMEOUT_MS: int(150, 10, 2000),
};

type ServiceEnv = z.output<z.ZodObject<typeof serviceVariables>>;

/** OtpService: its callers, its text, its memory of sends and its capacity. */
export function readService(
  e: ServiceEnv,
  problems: string[],
  deployment: Deployment & { role: string; live: boolean },
): ServiceConfig {
  if (deployment.role === "service" && deployment.live && e.OTP_API_KEYS.size === 0) {
    problems.push("OTP_API_KEYS: required for GATEWAY_ROLE=service with a live carrier (name:key,…)");
  }
  for (const name of e.OTP_ADMIN_KEYS) {
    if (!e.OTP_API_KEYS.has(name)) problems.push(`OTP_ADMIN_KEYS: ${name} is not a caller name of OTP_API_KEYS`);
  }
  return {
    adminCallers: e.OTP_ADMIN_KEYS,
    defaultPhoneRegion: e.DEFAULT_PHONE_REGION as CountryCode | undefined,
    apiKeys: e.OTP_API_KEYS,
    idempotency: { ttlMs: e.IDEMPOTENCY_TTL_MS, maxKeys: e.IDEMPOTENCY_MAX_KEYS },
    maxConcurrentSends: e.MAX_CONCURRENT_SENDS,
    store: e.OTP_STORE_URL
      ? { url: e.OTP_STORE_URL, prefix: e.OTP_STORE_PREFIX, timeoutMs: e.OTP_STORE_TIMEOUT_MS }
      : undefined,
    smsTemplate: e.OTP_SMS_TEMPLATE,
  };
}
