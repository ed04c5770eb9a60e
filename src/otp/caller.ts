import { createContextKey } from "@connectrpc/connect";

/**
 * Who is calling OtpService: the API key's name for network callers, "okta-hook" for the
 * in-process façade. Idempotency keys are scoped by it, and it is put on spans and logs.
 */
export const callerKey = createContextKey<string>("anonymous", { description: "OtpService caller name" });

/** The caller name of the Okta hook in this process; no API key may take it (config refuses it). */
export const hookCallerName = "okta-hook";

/**
 * What a caller in this process adds to the line the service writes for an accepted send: the
 * Okta hook's eventId, requestType and request id. The hook then writes no line of its own for
 * that send, so an accepted send costs one line instead of two. A network caller cannot set
 * it: a network call's context values are made by the server.
 */
export const callerLogFieldsKey = createContextKey<Readonly<Record<string, unknown>> | undefined>(undefined, {
  description: "in-process caller's log fields",
});
