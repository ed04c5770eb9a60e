import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";
import { trace } from "@opentelemetry/api";
import { createNamedSecretMatcher } from "../auth/secrets.js";
import { callerKey } from "./caller.js";

/**
 * Network callers of OtpService present `Authorization: Bearer <key>`. The key's name becomes
 * the caller (on spans, logs and idempotency scopes). Without configured keys the service is
 * either open (sandbox) or closed to the network (live), as `whenNoKeys` says.
 */
export function createApiKeyInterceptor(keys: ReadonlyMap<string, string>, whenNoKeys: "open" | "closed"): Interceptor {
  const match = createNamedSecretMatcher(keys);
  return (next) => async (req) => {
    if (keys.size === 0) {
      if (whenNoKeys === "closed") {
        throw new ConnectError(
          "OtpService takes no network calls: no API keys are configured (OTP_API_KEYS)",
          Code.Unauthenticated,
        );
      }
      return next(req);
    }
    const header = req.header.get("authorization") ?? "";
    const bearer = /^Bearer[ \t]+(\S+)\s*$/i.exec(header)?.[1];
    if (bearer === undefined)
      throw new ConnectError("missing API key: send Authorization: Bearer <key>", Code.Unauthenticated);
    const caller = match(bearer);
    if (caller === undefined) throw new ConnectError("invalid API key", Code.Unauthenticated);
    req.contextValues.set(callerKey, caller);
    trace.getActiveSpan()?.setAttribute("otp.caller", caller);
    return next(req);
  };
}

/** Marks in-process calls (the façade in the same process) with a fixed caller name. */
export function createFixedCallerInterceptor(caller: string): Interceptor {
  return (next) => async (req) => {
    req.contextValues.set(callerKey, caller);
    return next(req);
  };
}
