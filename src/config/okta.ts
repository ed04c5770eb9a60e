import { randomBytes } from "node:crypto";
import { z } from "zod";
import { blankToUndefined, choice, type Deployment, optionalString, optionalUrl, secretString } from "./env.js";

export type RefusedAnswer = "error" | "failed" | "suppress";

export interface OktaConfig {
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
}

export const oktaVariables = {
  OKTA_AUTH_HEADER: z.preprocess(
    blankToUndefined,
    z
      .string()
      .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, "must be an HTTP header name")
      .default("authorization")
      .transform((h) => h.toLowerCase()),
  ),
  OKTA_AUTH_MODE: choice(["header", "oauth"], "header"),
  OKTA_OAUTH_ISSUER: optionalUrl(/^https?$/, "must be an http(s) URL"),
  OKTA_OAUTH_AUDIENCE: optionalString,
  OKTA_OAUTH_CLIENT_ID: optionalString,
  OKTA_OAUTH_SCOPE: optionalString,
  OKTA_OAUTH_JWKS_URL: optionalUrl(/^https?$/, "must be an http(s) URL"),
  OKTA_AUTH_SECRET: secretString(16),
  OKTA_HOOK_BUDGET_MS: z.preprocess(
    blankToUndefined,
    z.coerce
      .number({ error: "must be a whole number of milliseconds" })
      .int({ error: "must be a whole number of milliseconds" })
      .min(200, "must be at least 200")
      .max(2900, "must stay under Okta's 3000 ms timeout (at most 2900)")
      .default(2500),
  ),
  OKTA_REFUSED_ANSWER: choice(["error", "failed", "suppress"], "error"),
};

type OktaEnv = z.output<z.ZodObject<typeof oktaVariables>>;

const oauthRequired = ["OKTA_OAUTH_ISSUER", "OKTA_OAUTH_AUDIENCE", "OKTA_OAUTH_CLIENT_ID", "OKTA_OAUTH_SCOPE"] as const;

/**
 * How Okta's hook calls are checked. `live` is whether real codes can be sent (a live carrier
 * or a façade): only a sandbox may make up its own hook secret.
 */
export function readOkta(e: OktaEnv, problems: string[], deployment: Deployment & { live: boolean }): OktaConfig {
  let oauth: OktaConfig["oauth"];
  if (deployment.servesHook && e.OKTA_AUTH_MODE === "oauth") {
    for (const name of oauthRequired) {
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

  let authSecret = e.OKTA_AUTH_SECRET;
  let authSecretGenerated = false;
  if (deployment.servesHook && e.OKTA_AUTH_MODE === "header" && !authSecret) {
    if (deployment.live || deployment.production) {
      problems.push("OKTA_AUTH_SECRET: required outside the sandbox (at least 16 characters)");
    } else {
      authSecret = randomBytes(24).toString("base64url");
      authSecretGenerated = true;
    }
  }
  return {
    authMode: e.OKTA_AUTH_MODE,
    oauth,
    authHeader: e.OKTA_AUTH_HEADER,
    authSecret: authSecret ?? "",
    authSecretGenerated,
    hookBudgetMs: e.OKTA_HOOK_BUDGET_MS,
  };
}
