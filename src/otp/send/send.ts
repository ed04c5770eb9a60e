import type { HandlerContext } from "@connectrpc/connect";
import type { Span } from "@opentelemetry/api";
import type { Logger } from "pino";
import type { SendOtpResponse } from "../../../gen/otp/v1/otp_pb.js";
import type { GatewayMetrics } from "../../observability/metrics.js";
import { spanOf } from "../../observability/trace-context.js";
import type { ValidSend } from "../validation.js";

/** Who asked for a send, and the RPC's deadline and cancellation. */
export interface SendCall {
  readonly caller: string;
  readonly ctx: HandlerContext;
}

/** The RPC's span, which a send's steps add what they decided to (when the call is traced). */
export function spanOfCall(call: SendCall): Span | undefined {
  return spanOf(call.ctx.values);
}

/**
 * One step of a send. The steps wrap each other (capacity → at most once → admission →
 * delivery), each deciding whether to go on to the next.
 */
export type Send = (send: ValidSend, call: SendCall) => Promise<SendOtpResponse>;

/** What every step reports to. */
export interface SendReporting {
  readonly logger: Logger;
  readonly metrics?: GatewayMetrics;
}

/** Counts a send decision: `accepted`, a carrier failure kind, or a gateway refusal. */
export function countOutcome(reporting: SendReporting, send: ValidSend, outcome: string): void {
  reporting.metrics?.sendOutcomes.inc({ channel: send.channelName, outcome, country: send.phone.region ?? "ZZ" });
}

// Time kept back from the caller's deadline so our answer still reaches them before it expires.
export const answerMarginMs = 50;
