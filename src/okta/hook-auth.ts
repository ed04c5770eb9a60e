import type { IncomingHttpHeaders } from "node:http";
import { createSecretMatcher } from "../auth/secrets.js";

/**
 * Undefined when the request may proceed; otherwise a short reason for the log (never a
 * secret). A check that needs no I/O answers at once, without a promise per request.
 */
export type HookAuthenticator = (headers: IncomingHttpHeaders) => string | undefined | Promise<string | undefined>;

/** Okta's "HTTP header" scheme: a fixed secret in a header of the admin's choosing. */
export function createHeaderAuthenticator(headerName: string, secret: string): HookAuthenticator {
  const matches = createSecretMatcher(secret);
  const name = headerName.toLowerCase();
  return (headers) =>
    matches(headers[name]) ? undefined : headers[name] === undefined ? "missing_credentials" : "bad_credentials";
}
