import { createRemoteJWKSet, customFetch, jwtVerify } from "jose";
import { createBoundedFetch } from "./bounded-fetch.js";
import type { HookAuthenticator } from "./hook-auth.js";

export interface OktaOAuthOptions {
  readonly issuer: string;
  readonly audience: string;
  /** The `cid` claim: the OAuth client Okta uses for this hook. */
  readonly clientId: string;
  /** A scope the token must carry in `scp`. */
  readonly scope: string;
  readonly jwksUrl: string;
  /** Allowed clock difference for exp/nbf/iat, in seconds. */
  readonly clockToleranceSec?: number;
  /** Least time between two JWKS fetches, so tokens naming random key ids cannot flood the issuer. */
  readonly jwksCooldownMs?: number;
}

// Okta's key sets are a few kilobytes; this leaves room for many keys and nothing more.
const maxJwksBytes = 256 * 1024;

/**
 * Okta's OAuth 2.0 scheme: `Authorization: Bearer <access token>` from an Okta custom
 * authorization server, checked as an RS256 JWT against the issuer's JWKS. Keys are cached and
 * fetched again when a token names a key id not seen before (Okta rotates keys).
 */
export function createOAuthAuthenticator(options: OktaOAuthOptions): HookAuthenticator {
  // The JWKS fetch happens inside Okta's 3 s budget, so it gets a short timeout.
  const jwks = createRemoteJWKSet(new URL(options.jwksUrl), {
    timeoutDuration: 1000,
    cooldownDuration: options.jwksCooldownMs ?? 30_000,
    cacheMaxAge: 10 * 60_000,
    [customFetch]: createBoundedFetch(maxJwksBytes),
  });
  return async (headers) => {
    const header = headers.authorization;
    const token = typeof header === "string" ? /^Bearer[ \t]+(\S+)\s*$/i.exec(header)?.[1] : undefined;
    if (token === undefined) return "missing_bearer_token";
    try {
      const { payload } = await jwtVerify(token, jwks, {
        issuer: options.issuer,
        audience: options.audience,
        algorithms: ["RS256"],
        clockTolerance: options.clockToleranceSec ?? 30,
        requiredClaims: ["exp"],
      });
      if (payload.cid !== options.clientId) return "wrong_client_id";
      const scp = payload.scp;
      const scopes = Array.isArray(scp) ? scp : typeof scp === "string" ? scp.split(" ") : [];
      if (!scopes.includes(options.scope)) return "missing_scope";
      return undefined;
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      return typeof code === "string" ? code.toLowerCase() : "invalid_token";
    }
  };
}
