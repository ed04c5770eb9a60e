import { z } from "zod";
import { type CarrierConfig, carrierVariables, readCarrier } from "./carrier.js";
import { type ConversionConfig, conversionVariables, readConversion } from "./conversion.js";
import { blankToUndefined } from "./env.js";
import { type FraudConfig, fraudVariables, readFraud } from "./fraud.js";
import { type OktaConfig, oktaVariables, type RefusedAnswer, readOkta } from "./okta.js";
import { type PolicyConfig, policyVariables, readPolicy } from "./policy.js";
import { describeIssue, unknownVariables } from "./problems.js";
import { type ReceiptsConfig, readReceipts, receiptVariables } from "./receipts.js";
import { makeOne, weakSecret } from "./secret-strength.js";
import { readServer, type ServerConfig, serverVariables } from "./server.js";
import { readService, type ServiceConfig, serviceVariables } from "./service.js";
import { readTemplates, type TemplatesConfig, templateVariables } from "./templates.js";
import { readVerify, type VerifyConfig, verifyVariables } from "./verify.js";

export type { OktaConfig, RefusedAnswer } from "./okta.js";
export type { GatewayRole } from "./server.js";

/** Everything the gateway is configured with, read once at start-up from the environment. */
export interface Config
  extends ServerConfig,
    CarrierConfig,
    PolicyConfig,
    ServiceConfig,
    TemplatesConfig,
    ReceiptsConfig,
    VerifyConfig,
    ConversionConfig,
    FraudConfig {
  readonly okta: OktaConfig;
  readonly oktaRefusedAnswer: RefusedAnswer;
  /** What is wrong but not fatal outside production (unknown variables); logged at start-up. */
  readonly warnings: readonly string[];
}

/** Thrown when the environment cannot make a working gateway; lists every problem at once. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n  - ${problems.join("\n  - ")}`);
    this.name = "ConfigError";
  }
}

const envSchema = z.object({
  ...serverVariables,
  ...oktaVariables,
  ...carrierVariables,
  ...serviceVariables,
  ...templateVariables,
  ...policyVariables,
  ...receiptVariables,
  ...verifyVariables,
  ...conversionVariables,
  ...fraudVariables,
});

/** Every environment variable the gateway reads (besides the standard OTEL_* ones). */
export const configVariables = Object.keys(envSchema.shape);

/**
 * Reads the gateway's configuration from environment variables. Throws {@link ConfigError}
 * naming every problem, so an operator fixes them in one round.
 */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = envSchema.safeParse(env);
  const unknown = unknownVariables(env, configVariables);
  const production = blankToUndefined(env.NODE_ENV) === "production";
  if (!parsed.success) {
    throw new ConfigError([...parsed.error.issues.map((i) => describeIssue(i, env)), ...(production ? unknown : [])]);
  }
  const e = parsed.data;
  // In production a variable the gateway does not read stops it: it is a typo or a leftover.
  const problems: string[] = production ? [...unknown] : [];
  const server = readServer(e, problems);
  const deployment = {
    production: e.NODE_ENV === "production",
    servesService: server.role !== "facade",
    servesHook: server.role !== "service",
  };
  let carrier = readCarrier(e, problems, deployment);
  // Real codes can go out: a live carrier here, or a façade in front of one elsewhere.
  const live = carrier.carrier.mode !== "sandbox" || server.role === "facade";
  const service = readService(e, problems, { ...deployment, role: server.role, live });
  const okta = readOkta(e, problems, { ...deployment, live });
  const templates = readTemplates(e, problems);
  const sandbox = carrier.carrier.mode === "sandbox";
  const receipts = readReceipts(e, { ...deployment, sandbox });
  if (receipts.publicBaseUrl && carrier.carrier.mode === "8x8") {
    if (!receipts.webhooks.secret) {
      problems.push("PUBLIC_BASE_URL: receipts sent there need EIGHTBYEIGHT_WEBHOOK_SECRET, or they are refused");
    } else {
      const sms = {
        ...carrier.carrier.sms,
        dlrCallbackUrl: callbackUrl(receipts.publicBaseUrl, receipts.webhooks.secret),
      };
      carrier = { ...carrier, carrier: { ...carrier.carrier, sms } };
    }
  }
  if (e.EIGHTBYEIGHT_FEEDBACK && carrier.carrier.mode === "8x8") {
    carrier = { ...carrier, carrier: { ...carrier.carrier, sms: { ...carrier.carrier.sms, feedback: true } } };
  }
  checkSecrets(e, okta, problems);
  if (deployment.production) refusePlainHttp(e, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    ...server,
    ...carrier,
    ...service,
    ...templates,
    ...receipts,
    ...readVerify(e, { ...deployment, sandbox }),
    ...readConversion(e, deployment),
    ...readFraud(e),
    ...readPolicy(e),
    otelTracesSampler: blankToUndefined(env.OTEL_TRACES_SAMPLER) as string | undefined,
    okta,
    oktaRefusedAnswer: e.OKTA_REFUSED_ANSWER,
    warnings: production ? [] : unknown,
  };
}

// Where credentials or codes travel: in production these must be HTTPS unless they stay on
// this machine (a local proxy or a sidecar).
const encryptedUrls = [
  "OKTA_OAUTH_ISSUER",
  "OKTA_OAUTH_JWKS_URL",
  "EIGHTBYEIGHT_SMS_URL",
  "EIGHTBYEIGHT_VOICE_URL",
  "PUBLIC_BASE_URL",
] as const;

/**
 * The SMS receipt URL 8x8 is given with each message. 8x8 documents no header for a message's
 * own callback, so the secret rides in the URL's user info, which HTTP clients send as Basic
 * authorization (and which is no part of the request line a proxy logs).
 */
function callbackUrl(base: string, secret: string): string {
  const url = new URL(`${base}/webhooks/8x8/sms`);
  url.username = "8x8";
  url.password = secret;
  return url.toString();
}

function refusePlainHttp(e: z.output<typeof envSchema>, problems: string[]): void {
  for (const name of encryptedUrls) {
    const value = e[name];
    if (value === undefined || !value.startsWith("http:")) continue;
    const host = new URL(value).hostname;
    if (host === "localhost" || host === "[::1]" || host.startsWith("127.")) continue;
    problems.push(`${name}: must be an https:// URL in production (http:// only to this machine), got "${value}"`);
  }
}

/** Every secret that is set must be one: no template value, pattern or short guessable string. */
function checkSecrets(e: z.output<typeof envSchema>, okta: OktaConfig, problems: string[]): void {
  const check = (name: string, value: string | undefined, entropy = true) => {
    const weak = value === undefined ? undefined : weakSecret(value, { entropy });
    if (weak) problems.push(`${name}: ${weak}; ${makeOne}`);
  };
  if (!okta.authSecretGenerated) check("OKTA_AUTH_SECRET", e.OKTA_AUTH_SECRET);
  check("OTP_SERVICE_API_KEY", e.OTP_SERVICE_API_KEY);
  check("METRICS_TOKEN", e.METRICS_TOKEN);
  check("EIGHTBYEIGHT_WEBHOOK_SECRET", e.EIGHTBYEIGHT_WEBHOOK_SECRET);
  check("VERIFY_HASH_KEY", e.VERIFY_HASH_KEY);
  check("OKTA_EVENT_HOOK_SECRET", e.OKTA_EVENT_HOOK_SECRET);
  for (const [name, key] of e.OTP_API_KEYS) check(`OTP_API_KEYS (${name})`, key);
  // 8x8 issues its own keys, whose format is 8x8's: only template values are refused.
  check("EIGHTBYEIGHT_API_KEY", e.EIGHTBYEIGHT_API_KEY, false);
}
