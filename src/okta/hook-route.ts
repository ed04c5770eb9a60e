import type { FastifyError, FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";
import type { GatewayMetrics } from "../observability/metrics.js";
import type { HookAuthenticator } from "./hook-auth.js";
import { type HookHandlerOptions, handleHook } from "./hook-handler.js";
import {
  channelOf,
  type OktaTelephonyAction,
  type OktaTelephonyRequest,
  oktaError,
  oktaTelephonyRequestSchema,
  telephonyAction,
} from "./telephony-types.js";

export type { RefusedAnswer } from "./hook-handler.js";

export interface OktaHookOptions extends Omit<HookHandlerOptions, "now"> {
  /** Checks Okta's credentials (static header or OAuth access token). */
  readonly authenticate: HookAuthenticator;
  readonly now?: () => number;
  /** Where each answer's latency goes (otp_hook_request_duration_seconds). */
  readonly metrics?: GatewayMetrics;
}

// Okta's bodies are about 1 KB; this leaves room for long templates and nothing more.
const bodyLimit = 16 * 1024;

declare module "fastify" {
  interface FastifyRequest {
    /** When Okta's request arrived (epoch ms): the hook's budget counts from here. */
    oktaReceivedAt: number;
  }
}

/**
 * `POST /okta/telephony`: Okta's telephony inline hook. Answers 401 for bad credentials, 400
 * for a request it cannot understand, and otherwise always 200 with SUCCESSFUL (the carrier
 * accepted the send) or FAILED (so Okta falls back to its own providers).
 */
export const oktaHookRoutes: FastifyPluginAsync<OktaHookOptions> = async (app, opts) => {
  const now = opts.now ?? Date.now;
  const handlerOptions: HookHandlerOptions = { ...opts, now };
  // Okta only sends JSON; anything else gets a clear 415 instead of a confusing schema error.
  app.removeContentTypeParser("text/plain");
  app.decorateRequest("oktaReceivedAt", 0);

  // Callback style: the static secret's check answers at once, and an async hook would cost
  // promises on every request for nothing.
  app.addHook("onRequest", (req, reply, done) => {
    req.oktaReceivedAt = now();
    // Checked before the body is read, so an unauthenticated caller costs us no parsing.
    const refusal = opts.authenticate(req.headers);
    if (refusal instanceof Promise) refusal.then((r) => admit(req, reply, r, done), done);
    else admit(req, reply, refusal, done);
  });

  app.setErrorHandler((err: FastifyError, req, reply) => {
    const status = err.statusCode ?? 500;
    if (err.validation) {
      const causes = err.validation.map((v) => {
        const missing = (v.params as { missingProperty?: string }).missingProperty;
        const parent = v.instancePath.replace(/^\//, "").replaceAll("/", ".");
        const path = missing ? (parent ? `${parent}.${missing}` : missing) : parent;
        return {
          errorSummary: `${path || "body"} ${v.message ?? "is invalid"}`,
          reason: "INVALID_REQUEST",
          locationType: "body" as const,
          location: path || "body",
        };
      });
      req.log.info({ statusCode: 400, fields: causes.map((c) => c.location) }, "okta hook request is invalid");
      return reply.code(400).send(oktaError("The telephony request is invalid", causes));
    }
    if (status >= 400 && status < 500) {
      req.log.info({ statusCode: status, errCode: err.code }, "okta hook request not understood");
      return reply.code(status).send(oktaError(clientErrorSummary(status)));
    }
    // Anything unexpected still gets a well-formed FAILED, so Okta falls back instead of waiting.
    req.log.error({ err }, "okta hook failed unexpectedly");
    return reply.code(200).send(telephonyAction("FAILED", opts.providerName, "reason=gateway_error"));
  });

  app.post<{ Body: OktaTelephonyRequest }>(
    "/okta/telephony",
    { bodyLimit, schema: { body: oktaTelephonyRequestSchema } },
    async (req, reply) => {
      const answer = await handleHook(req, reply, handlerOptions);
      const seconds = (now() - req.oktaReceivedAt) / 1000;
      opts.metrics?.hookDuration.observe({ channel: channelOf(req.body), outcome: outcomeOf(reply, answer) }, seconds);
      return answer;
    },
  );
};

/** Lets an authenticated request on; answers any other with 401 (no `done`: the reply is sent). */
function admit(req: FastifyRequest, reply: FastifyReply, refusal: string | undefined, done: () => void): void {
  if (refusal === undefined) {
    done();
    return;
  }
  req.log.warn({ reason: refusal }, "okta hook request refused");
  reply.code(401).send(oktaError("Unauthorized"));
}

/** What Okta was told, in a few words: successful, suppressed, failed, sandbox, refused, bad_request. */
function outcomeOf(reply: FastifyReply, answer: unknown): string {
  if (reply.statusCode >= 400) return "bad_request";
  const action = (answer as Partial<OktaTelephonyAction>).commands?.[0]?.value[0];
  if (!action) return "refused";
  if (action.status === "SUCCESSFUL")
    return action.transactionMetadata.startsWith("suppressed=") ? "suppressed" : "successful";
  return action.transactionMetadata.startsWith("reason=sandbox") ? "sandbox" : "failed";
}

function clientErrorSummary(status: number): string {
  if (status === 413) return "The telephony request is too large";
  if (status === 415) return "The telephony request must be JSON (application/json)";
  return "The telephony request could not be read";
}
