import { createContextKey } from "@connectrpc/connect";

/**
 * Who is calling OtpService: the API key's name for network callers, "okta-hook" for the
 * in-process façade. Idempotency keys are scoped by it, and it is put on spans and logs.
 */
export const callerKey = createContextKey<string>("anonymous", { description: "OtpService caller name" });

/** The caller name of the Okta hook in this process; no API key may take it (config refuses it). */
export const hookCallerName = "okta-hook";
