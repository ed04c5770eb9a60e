import { randomBytes } from "node:crypto";
import { isSupportedCountry, type CountryCode, type NumberType } from "libphonenumber-js/max";
import { defaultNumberTypes, knownNumberTypes, type DestinationPolicy } from "./policy/destination-policy.js";
import { parseLimit, type RateLimitSettings } from "./policy/limits.js";
import { z } from "zod";

/** Which parts of the gateway this process serves. */
export type GatewayRole = "all" | "facade" | "service";

export interface EightByEightConfig {
  readonly mode: "8x8";
  readonly apiKey: string;
  readonly sms: { readonly baseUrl: string; readonly subaccountId: string; readonly source?: string };
  /** Undefined when no voice caller id is configured: voice sends are then refused. */
  readonly voice?: {
    readonly baseUrl: string;
    readonly subaccountId: string;
    readonly source: string;
    readonly profileOverride?: string;
  };
}

export interface SandboxCarrierConfig {
  readonly mode: "sandbox";
}

export interface Config {
  readonly nodeEnv: string;
  readonly host: string;
  readonly httpPort: number;
  readonly grpcPort: number;
  readonly logLevel: string;
  readonly role: GatewayRole;
  readonly okta: {
    readonly authMode: "header" | "oauth";
    /** Set in oauth mode: how Okta's access tokens are checked. */
    readonly oauth?: {
      readonly issuer: string;
      readonly audience: string;
      readonly clientId: string;
      readonly scope: string;
      readonly jwksUrl: string;
    };
    readonly authHeader: string;
    readonly authSecret: string;
    /** True when the secret was made up at start-up (sandbox only) and must be shown once. */
    readonly authSecretGenerated: boolean;
    readonly hookBudgetMs: number;
  };
  readonly defaultPhoneRegion?: CountryCode;
  readonly otpService?: { readonly url: string; readonly protocol: "connect" | "grpc" | "grpc-web"; readonly apiKey?: string };
  /** Network callers of OtpService by name → key. Empty: open in the sandbox, closed when live. */
  readonly apiKeys: ReadonlyMap<string, string>;
  readonly idempotency: { readonly ttlMs: number; readonly maxKeys: number };
  readonly maxConcurrentSends: number;
  readonly carrierMaxRetries: number;
  readonly circuitBreaker: { readonly failureThreshold: number; readonly cooldownMs: number };
  readonly destinationPolicy: DestinationPolicy;
  readonly rateLimits: RateLimitSettings;
  /** Whether sends go ahead when the rate-limit store cannot be reached. */
  readonly rateLimitFailOpen: boolean;
  readonly oktaRefusedAnswer: "error" | "failed" | "suppress";
  /** Shared state (idempotency, limits) in Redis; memory when absent. */
  readonly store?: { readonly url: string; readonly prefix: string; readonly timeoutMs: number };
  readonly carrier: EightByEightConfig | SandboxCarrierConfig;
  readonly smsTemplate: string;
  readonly rpcDefaultTimeoutMs: number;
  readonly shutdownGraceMs: number;
}

/** Thrown when the environment cannot make a working gateway; lists every problem at once. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n  - ${problems.join("\n  - ")}`);
    this.name = "ConfigError";
  }
}

const blankToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);
const optionalString = z.preprocess(blankToUndefined, z.string().trim().optional());
const port = (fallback: number) =>
  z.preprocess(blankToUndefined, z.coerce.number().int().min(0).max(65535).default(fallback));
const httpUrl = (fallback: string) =>
  z.preprocess(
    blankToUndefined,
    z
      .url({ protocol: /^https?$/, error: "must be an http(s) URL" })
      .default(fallback)
      .transform((u) => u.replace(/\/+$/, "")),
  );

// 8x8 documents this pattern for subaccount ids; checking it here turns a typo into a start-up
// error instead of a 404 on the first sign-in.
const subaccountId = z.string().regex(/^[A-Za-z0-9\-._&]{3,50}$/, "must match 8x8's subaccount id pattern");

const int = (fallback: number, min: number, max: number) =>
  z.preprocess(blankToUndefined, z.coerce.number().int().min(min).max(max).default(fallback));

// "billing:6f1c…,auth-service:9a2e…": named keys so the caller's name can be logged and traced.
const apiKeyList = z.preprocess(
  blankToUndefined,
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      const keys = new Map<string, string>();
      for (const item of (v ?? "").split(",").map((i) => i.trim()).filter((i) => i !== "")) {
        const sep = item.indexOf(":");
        const name = sep > 0 ? item.slice(0, sep).trim() : "";
        const key = sep > 0 ? item.slice(sep + 1).trim() : "";
        if (!/^[A-Za-z0-9._-]{1,64}$/.test(name) || key.length < 16) {
          ctx.addIssue({ code: "custom", message: "each entry must be name:key with a key of at least 16 characters" });
          return keys;
        }
        if (keys.has(name)) ctx.addIssue({ code: "custom", message: `caller name ${name} is listed twice` });
        keys.set(name, key);
      }
      return keys;
    }),
);

const countryList = z.preprocess(
  blankToUndefined,
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      const codes = (v ?? "").split(",").map((c) => c.trim().toUpperCase()).filter((c) => c !== "");
      for (const c of codes) {
        if (!isSupportedCountry(c)) ctx.addIssue({ code: "custom", message: `${c} is not an ISO 3166-1 alpha-2 region` });
      }
      return v === undefined ? undefined : new Set(codes);
    }),
);

const numberTypes = (fallback: readonly NumberType[]) =>
  z.preprocess(
    blankToUndefined,
    z
      .string()
      .optional()
      .transform((v, ctx) => {
        if (v === undefined) return new Set(fallback);
        const types = v.split(",").map((t) => t.trim().toUpperCase()).filter((t) => t !== "");
        for (const t of types) {
          if (!knownNumberTypes.includes(t as NumberType)) {
            ctx.addIssue({ code: "custom", message: `${t} is not one of ${knownNumberTypes.join(", ")}` });
          }
        }
        return new Set(types as NumberType[]);
      }),
  );

const limit = (fallback: string) =>
  z.preprocess(
    blankToUndefined,
    z
      .string()
      .default(fallback)
      .transform((v, ctx) => {
        try {
          return parseLimit(v);
        } catch (err) {
          ctx.addIssue({ code: "custom", message: (err as Error).message });
          return undefined;
        }
      }),
  );

const envSchema = z.object({
  NODE_ENV: z.preprocess(blankToUndefined, z.string().default("development")),
  HOST: z.preprocess(blankToUndefined, z.string().default("0.0.0.0")),
  HTTP_PORT: port(8080),
  GRPC_PORT: port(8081),
  LOG_LEVEL: z.preprocess(
    blankToUndefined,
    z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  ),
  GATEWAY_ROLE: z.preprocess(blankToUndefined, z.enum(["all", "facade", "service"]).optional()),
  OKTA_AUTH_HEADER: z.preprocess(
    blankToUndefined,
    z
      .string()
      .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, "must be an HTTP header name")
      .default("authorization")
      .transform((h) => h.toLowerCase()),
  ),
  OKTA_AUTH_MODE: z.preprocess(blankToUndefined, z.enum(["header", "oauth"]).default("header")),
  OKTA_OAUTH_ISSUER: z.preprocess(blankToUndefined, z.url({ protocol: /^https?$/ }).optional()),
  OKTA_OAUTH_AUDIENCE: optionalString,
  OKTA_OAUTH_CLIENT_ID: optionalString,
  OKTA_OAUTH_SCOPE: optionalString,
  OKTA_OAUTH_JWKS_URL: z.preprocess(blankToUndefined, z.url({ protocol: /^https?$/ }).optional()),
  OKTA_AUTH_SECRET: z.preprocess(
    blankToUndefined,
    z.string().min(16, "must be at least 16 characters").optional(),
  ),
  OKTA_HOOK_BUDGET_MS: z.preprocess(
    blankToUndefined,
    z.coerce
      .number()
      .int()
      .min(200, "must be at least 200")
      .max(2900, "must stay under Okta's 3000 ms timeout (at most 2900)")
      .default(2500),
  ),
  DEFAULT_PHONE_REGION: z.preprocess(
    blankToUndefined,
    z
      .string()
      .transform((r) => r.toUpperCase())
      .refine((r) => isSupportedCountry(r), "must be an ISO 3166-1 alpha-2 region such as US or GB")
      .optional(),
  ),
  OTP_SERVICE_URL: z.preprocess(blankToUndefined, z.url({ protocol: /^https?$/ }).optional()),
  OTP_SERVICE_PROTOCOL: z.preprocess(blankToUndefined, z.enum(["connect", "grpc", "grpc-web"]).default("connect")),
  EIGHTBYEIGHT_API_KEY: optionalString,
  EIGHTBYEIGHT_SUBACCOUNT_ID: z.preprocess(blankToUndefined, subaccountId.optional()),
  EIGHTBYEIGHT_SMS_URL: httpUrl("https://sms.8x8.com"),
  EIGHTBYEIGHT_SMS_SOURCE: z.preprocess(
    blankToUndefined,
    z.string().max(16, "8x8 allows at most 16 characters").optional(),
  ),
  EIGHTBYEIGHT_VOICE_URL: httpUrl("https://voice.8x8.com"),
  EIGHTBYEIGHT_VOICE_SUBACCOUNT_ID: z.preprocess(blankToUndefined, subaccountId.optional()),
  EIGHTBYEIGHT_VOICE_SOURCE: z.preprocess(
    blankToUndefined,
    z.string().regex(/^\+?[1-9]\d{5,14}$/, "must be a phone number in international format").optional(),
  ),
  EIGHTBYEIGHT_VOICE_PROFILE: optionalString,
  OTP_SMS_TEMPLATE: z.preprocess(
    blankToUndefined,
    z
      .string()
      .refine((t) => t.includes("{code}"), "must contain {code}")
      .default("Your verification code is {code}"),
  ),
  OTP_SERVICE_API_KEY: z.preprocess(blankToUndefined, z.string().min(16, "must be at least 16 characters").optional()),
  OTP_API_KEYS: apiKeyList,
  IDEMPOTENCY_TTL_MS: int(15 * 60_000, 60_000, 24 * 3_600_000),
  IDEMPOTENCY_MAX_KEYS: int(25_000, 100, 10_000_000),
  MAX_CONCURRENT_SENDS: int(256, 1, 100_000),
  CARRIER_MAX_RETRIES: int(1, 0, 3),
  CIRCUIT_FAILURE_THRESHOLD: int(5, 1, 1000),
  CIRCUIT_COOLDOWN_MS: int(10_000, 100, 600_000),
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
  RATE_LIMIT_FAIL_MODE: z.preprocess(blankToUndefined, z.enum(["open", "closed"]).default("open")),
  OKTA_REFUSED_ANSWER: z.preprocess(blankToUndefined, z.enum(["error", "failed", "suppress"]).default("error")),
  OTP_STORE_URL: z.preprocess(blankToUndefined, z.url({ protocol: /^rediss?$/, error: "must be a redis:// or rediss:// URL" }).optional()),
  OTP_STORE_PREFIX: z.preprocess(blankToUndefined, z.string().max(64).default("otpgw:")),
  OTP_STORE_TIMEOUT_MS: int(150, 10, 2000),
  RPC_DEFAULT_TIMEOUT_MS: z.preprocess(blankToUndefined, z.coerce.number().int().min(100).max(60000).default(10000)),
  SHUTDOWN_GRACE_MS: z.preprocess(blankToUndefined, z.coerce.number().int().min(0).max(120000).default(10000)),
});

/** Every environment variable the gateway reads (besides the standard OTEL_* ones). */
export const configVariables = Object.keys(envSchema.shape);

/**
 * Reads the gateway's configuration from environment variables. Throws {@link ConfigError}
 * naming every problem, so an operator fixes them in one round.
 */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`));
  }
  const e = parsed.data;
  const problems: string[] = [];
  const production = e.NODE_ENV === "production";

  const role: GatewayRole = e.GATEWAY_ROLE ?? (e.OTP_SERVICE_URL ? "facade" : "all");
  if (role === "facade" && !e.OTP_SERVICE_URL) {
    problems.push("OTP_SERVICE_URL: required when GATEWAY_ROLE=facade");
  }
  if (role !== "facade" && e.OTP_SERVICE_URL) {
    problems.push(`OTP_SERVICE_URL: only used by a façade; GATEWAY_ROLE=${role} serves OtpService itself`);
  }
  const servesService = role !== "facade";
  const servesHook = role !== "service";

  let carrier: Config["carrier"] = { mode: "sandbox" };
  if (servesService && e.EIGHTBYEIGHT_API_KEY) {
    if (!e.EIGHTBYEIGHT_SUBACCOUNT_ID) problems.push("EIGHTBYEIGHT_SUBACCOUNT_ID: required with EIGHTBYEIGHT_API_KEY");
    carrier = {
      mode: "8x8",
      apiKey: e.EIGHTBYEIGHT_API_KEY,
      sms: {
        baseUrl: e.EIGHTBYEIGHT_SMS_URL,
        subaccountId: e.EIGHTBYEIGHT_SUBACCOUNT_ID ?? "",
        ...(e.EIGHTBYEIGHT_SMS_SOURCE ? { source: e.EIGHTBYEIGHT_SMS_SOURCE } : {}),
      },
      ...(e.EIGHTBYEIGHT_VOICE_SOURCE
        ? {
            voice: {
              baseUrl: e.EIGHTBYEIGHT_VOICE_URL,
              subaccountId: e.EIGHTBYEIGHT_VOICE_SUBACCOUNT_ID ?? e.EIGHTBYEIGHT_SUBACCOUNT_ID ?? "",
              source: e.EIGHTBYEIGHT_VOICE_SOURCE,
              ...(e.EIGHTBYEIGHT_VOICE_PROFILE ? { profileOverride: e.EIGHTBYEIGHT_VOICE_PROFILE } : {}),
            },
          }
        : {}),
    };
  } else if (servesService && production) {
    problems.push(
      "EIGHTBYEIGHT_API_KEY: required when NODE_ENV=production; the sandbox carrier delivers nothing and refuses to run in production",
    );
  }

  const live = carrier.mode === "8x8" || role === "facade";
  let oauth: Config["okta"]["oauth"];
  if (servesHook && e.OKTA_AUTH_MODE === "oauth") {
    for (const name of ["OKTA_OAUTH_ISSUER", "OKTA_OAUTH_AUDIENCE", "OKTA_OAUTH_CLIENT_ID", "OKTA_OAUTH_SCOPE"] as const) {
      if (!e[name]) problems.push(`${name}: required when OKTA_AUTH_MODE=oauth`);
    }
    const issuer = (e.OKTA_OAUTH_ISSUER ?? "").replace(/\/+$/, "");
    oauth = {
      issuer,
      audience: e.OKTA_OAUTH_AUDIENCE ?? "",
      clientId: e.OKTA_OAUTH_CLIENT_ID ?? "",
      scope: e.OKTA_OAUTH_SCOPE ?? "",
      // Okta custom authorization servers publish their keys here.
      jwksUrl: e.OKTA_OAUTH_JWKS_URL ?? `${issuer}/v1/keys`,
    };
  }
  if (role === "service" && carrier.mode === "8x8" && e.OTP_API_KEYS.size === 0) {
    problems.push("OTP_API_KEYS: required for GATEWAY_ROLE=service with a live carrier (name:key,…)");
  }

  let authSecret = e.OKTA_AUTH_SECRET;
  let authSecretGenerated = false;
  if (servesHook && e.OKTA_AUTH_MODE === "header" && !authSecret) {
    if (live || production) {
      problems.push("OKTA_AUTH_SECRET: required outside the sandbox (at least 16 characters)");
    } else {
      authSecret = randomBytes(24).toString("base64url");
      authSecretGenerated = true;
    }
  }

  if (problems.length > 0) throw new ConfigError(problems);

  return {
    nodeEnv: e.NODE_ENV,
    host: e.HOST,
    httpPort: e.HTTP_PORT,
    grpcPort: e.GRPC_PORT,
    logLevel: e.LOG_LEVEL,
    role,
    okta: {
      authMode: e.OKTA_AUTH_MODE,
      ...(oauth ? { oauth } : {}),
      authHeader: e.OKTA_AUTH_HEADER,
      authSecret: authSecret ?? "",
      authSecretGenerated,
      hookBudgetMs: e.OKTA_HOOK_BUDGET_MS,
    },
    ...(e.DEFAULT_PHONE_REGION ? { defaultPhoneRegion: e.DEFAULT_PHONE_REGION as CountryCode } : {}),
    ...(e.OTP_SERVICE_URL
      ? {
          otpService: {
            url: e.OTP_SERVICE_URL.replace(/\/+$/, ""),
            protocol: e.OTP_SERVICE_PROTOCOL,
            ...(e.OTP_SERVICE_API_KEY ? { apiKey: e.OTP_SERVICE_API_KEY } : {}),
          },
        }
      : {}),
    apiKeys: e.OTP_API_KEYS,
    idempotency: { ttlMs: e.IDEMPOTENCY_TTL_MS, maxKeys: e.IDEMPOTENCY_MAX_KEYS },
    maxConcurrentSends: e.MAX_CONCURRENT_SENDS,
    carrierMaxRetries: e.CARRIER_MAX_RETRIES,
    circuitBreaker: { failureThreshold: e.CIRCUIT_FAILURE_THRESHOLD, cooldownMs: e.CIRCUIT_COOLDOWN_MS },
    destinationPolicy: {
      sms: {
        allowedCountries: e.SMS_ALLOWED_COUNTRIES ?? e.ALLOWED_COUNTRIES ?? new Set(),
        blockedCountries: e.SMS_BLOCKED_COUNTRIES ?? e.BLOCKED_COUNTRIES ?? new Set(),
        allowedNumberTypes: e.SMS_NUMBER_TYPES,
      },
      voice: {
        allowedCountries: e.VOICE_ALLOWED_COUNTRIES ?? e.ALLOWED_COUNTRIES ?? new Set(),
        blockedCountries: e.VOICE_BLOCKED_COUNTRIES ?? e.BLOCKED_COUNTRIES ?? new Set(),
        allowedNumberTypes: e.VOICE_NUMBER_TYPES,
      },
    },
    rateLimits: {
      ...(e.RATE_LIMIT_PER_PHONE ? { perPhone: e.RATE_LIMIT_PER_PHONE } : {}),
      ...(e.RATE_LIMIT_PER_PHONE_ENROLLMENT ? { perPhoneEnrollment: e.RATE_LIMIT_PER_PHONE_ENROLLMENT } : {}),
      ...(e.RATE_LIMIT_PER_USER ? { perUser: e.RATE_LIMIT_PER_USER } : {}),
      ...(e.RATE_LIMIT_PER_COUNTRY ? { perCountry: e.RATE_LIMIT_PER_COUNTRY } : {}),
      ...(e.RATE_LIMIT_GLOBAL ? { global: e.RATE_LIMIT_GLOBAL } : {}),
    },
    rateLimitFailOpen: e.RATE_LIMIT_FAIL_MODE === "open",
    oktaRefusedAnswer: e.OKTA_REFUSED_ANSWER,
    ...(e.OTP_STORE_URL ? { store: { url: e.OTP_STORE_URL, prefix: e.OTP_STORE_PREFIX, timeoutMs: e.OTP_STORE_TIMEOUT_MS } } : {}),
    carrier,
    smsTemplate: e.OTP_SMS_TEMPLATE,
    rpcDefaultTimeoutMs: e.RPC_DEFAULT_TIMEOUT_MS,
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
  };
}
