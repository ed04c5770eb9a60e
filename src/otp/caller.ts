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

/**
 * Set by the in-process transport on every call: true when the caller passed no signal, so
 * that only the call's deadline can end it (the Okta hook's calls). The send's carrier call
 * then takes no signal: its own timeout, the deadline less a margin, always comes first, and a
 * signal per send with a listener on it cost about a tenth of the hook's throughput
 * (bench/README.md). A network call's context values are made by the server, so it is never
 * set there.
 */
export const endsOnlyAtDeadlineKey = createContextKey<boolean>(false, {
  description: "in-process call ends only at its deadline",
});
