import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import { createNamedSecretMatcher } from "../auth/secrets.js";
import { spanOf } from "../observability/trace-context.js";
import { callerKey } from "./caller.js";

/** Who presented a key, or why the call is refused (a fixed text, never the key). */
export type ApiKeyVerdict = { readonly caller?: string; readonly refusal?: undefined } | { readonly refusal: string };

/**
 * Network callers of OtpService present `Authorization: Bearer <key>`. The key's name becomes
 * the caller (on spans, logs and idempotency scopes). Without configured keys the service is
 * either open (sandbox) or closed to the network (live), as `whenNoKeys` says.
 */
export function createApiKeyCheck(
  keys: ReadonlyMap<string, string>,
  whenNoKeys: "open" | "closed",
): (authorization: string | null | undefined) => ApiKeyVerdict {
  const match = createNamedSecretMatcher(keys);
  return (authorization) => {
    if (keys.size === 0) {
      return whenNoKeys === "closed"
        ? { refusal: "OtpService takes no network calls: no API keys are configured (OTP_API_KEYS)" }
        : {};
    }
    const bearer = /^Bearer[ \t]+(\S+)\s*$/i.exec(authorization ?? "")?.[1];
    if (bearer === undefined) return { refusal: "missing API key: send Authorization: Bearer <key>" };
    const caller = match(bearer);
    return caller === undefined ? { refusal: "invalid API key" } : { caller };
  };
}

/** The check as a Connect interceptor: refuses with Unauthenticated, names the caller. */
export function createApiKeyInterceptor(keys: ReadonlyMap<string, string>, whenNoKeys: "open" | "closed"): Interceptor {
  const check = createApiKeyCheck(keys, whenNoKeys);
  return (next) => async (req) => {
    const verdict = check(req.header.get("authorization"));
    if (verdict.refusal !== undefined) throw new ConnectError(verdict.refusal, Code.Unauthenticated);
    if (verdict.caller !== undefined) {
      req.contextValues.set(callerKey, verdict.caller);
      spanOf(req.contextValues)?.setAttribute("otp.caller", verdict.caller);
    }
    return next(req);
  };
}

/** Marks in-process calls (the façade in the same process) with a fixed caller name. */
export function createFixedCallerInterceptor(caller: string): Interceptor {
  // Not async: setting a value cannot throw, and an async wrapper is a promise per call.
  return (next) => (req) => {
    req.contextValues.set(callerKey, caller);
    return next(req);
  };
}
