import { hash } from "node:crypto";
import { fromJson, toJson } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import type { Logger } from "pino";
import {
  CarrierErrorDetailSchema,
  DeliveryStatus,
  GatewayFailure,
  type SendOtpResponse,
  SendOtpResponseSchema,
} from "../../../gen/otp/v1/otp_pb.js";
import { afterAnswer } from "../../after-answer.js";
import { CarrierError } from "../../carrier/index.js";
import type { GatewayMetrics } from "../../observability/metrics.js";
import type { ClaimResult, IdempotencyStore, RecordedOutcome } from "../../store/idempotency-store.js";
import { connectErrorFromCarrier, gatewayError } from "../errors.js";
import type { ValidSend } from "../validation.js";
import { answerMarginMs, type Send, type SendCall, spanOfCall } from "./send.js";

export interface AtMostOnceOptions {
  readonly store: IdempotencyStore;
  /** How long a key's answer is remembered. */
  readonly ttlMs: number;
  /** How long a repeat may wait for the first attempt when its caller set no deadline. */
  readonly defaultTimeoutMs: number;
  readonly logger: Logger;
  readonly metrics?: GatewayMetrics;
}

/**
 * Sends with an idempotency key happen at most once per caller and key: a repeat gets the
 * recorded answer, or waits for the first attempt to finish and shares its answer.
 */
export function withIdempotency(next: Send, options: AtMostOnceOptions): Send {
  return async (send, call) => {
    if (send.idempotencyKey === "") return next(send, call);
    const key = `${call.caller}:${send.idempotencyKey}`;
    const fingerprint = fingerprintOf(send);
    // Only the unusual paths log here; a child logger per send would be built for nothing.
    const log = () => options.logger.child({ caller: call.caller, idempotencyKey: send.idempotencyKey });
    // Two rounds: a repeat that waited on a first attempt which was then released may claim.
    for (let round = 0; round < 2; round++) {
      let claim: ClaimResult;
      try {
        // The claim is a lease no longer than the send itself can take: if its answer is never
        // recorded (the store stalled, the process died), repeats may try again soon after,
        // instead of being told "in progress" for the whole TTL.
        claim = await options.store.claim(key, fingerprint, leaseFor(options, call));
      } catch (err) {
        // Sending twice is bad; not sending at all locks a person out, which is worse.
        log().warn({ err }, "idempotency store unavailable; sending without duplicate protection");
        return next(send, call);
      }
      if (claim.claimed) return settleAfter(options, key, send, next(send, call), log);

      const record = claim.record.outcome ? claim.record : await waitFor(options, key, call);
      if (record && record.fingerprint !== fingerprint) {
        throw gatewayError(
          "idempotency_key was already used for a different request",
          Code.AlreadyExists,
          GatewayFailure.KEY_REUSED,
        );
      }
      if (record?.outcome) {
        spanOfCall(call)?.setAttribute("otp.idempotent_replay", true);
        options.metrics?.idempotentReplays.inc();
        log().info("repeat of an earlier request: replaying its answer");
        return replay(record.outcome, send);
      }
      if (call.ctx.signal.aborted || (call.ctx.timeoutMs() ?? 1) <= answerMarginMs) break;
    }
    throw gatewayError("an identical request is still in progress", Code.DeadlineExceeded, GatewayFailure.IN_PROGRESS);
  };
}

// Room past the send's own deadline for its answer to be recorded.
const leaseMarginMs = 5_000;

function leaseFor(options: AtMostOnceOptions, call: SendCall): number {
  const sendMs = Math.min(call.ctx.timeoutMs() ?? Infinity, options.defaultTimeoutMs);
  return Math.min(options.ttlMs, Math.max(1, sendMs) + leaseMarginMs);
}

async function waitFor(options: AtMostOnceOptions, key: string, call: SendCall) {
  const timeoutMs = (call.ctx.timeoutMs() ?? options.defaultTimeoutMs) - answerMarginMs;
  try {
    return await options.store.wait(key, timeoutMs, call.ctx.signal);
  } catch (err) {
    // Sending now could send twice (the first attempt may be delivering): say why, and ask
    // the caller to come back rather than guess.
    options.logger.warn({ err, caller: call.caller }, "idempotency store unavailable while a repeat waited");
    throw gatewayError("an identical request is still in progress", Code.DeadlineExceeded, GatewayFailure.IN_PROGRESS);
  }
}

async function settleAfter(
  options: AtMostOnceOptions,
  key: string,
  send: ValidSend,
  sending: Promise<SendOtpResponse>,
  log: () => Logger,
): Promise<SendOtpResponse> {
  const { store, ttlMs } = options;
  let res: SendOtpResponse;
  try {
    res = await sending;
  } catch (err) {
    // Only failures where the carrier provably took nothing are forgotten, so a retry may
    // send; anything that may have gone out is replayed instead of sent again.
    if (!(err instanceof CarrierError) || err.notSent) {
      await store.release(key).catch((e: unknown) => log().warn({ err: e }, "could not release idempotency key"));
      throw err;
    }
    const outcome = recordedError(connectErrorFromCarrier(err));
    await settleReliably(store, key, outcome, ttlMs, log);
    // The first caller gets exactly what later repeats will get.
    return replay(outcome, send);
  }
  // The answer does not wait for its record: a repeat arriving meanwhile finds the key claimed
  // and waits for the record, as it would for a send in flight, which keeps a store round trip
  // off every send's latency. Only what a repeat cannot rebuild is recorded: status is ACCEPTED
  // for every ok outcome, and the channel and masked number are the repeat's own (its
  // fingerprint matched).
  const recorded = { deliveryId: res.deliveryId, provider: res.provider, providerMessageId: res.providerMessageId };
  afterAnswer(() => void settleReliably(store, key, { kind: "ok", response: recorded }, ttlMs, log));
  return res;
}

// Pauses before each retry of a record that failed: a store stall of about a second is ridden out.
const settleBackoffMs = [100, 400, 1_000];

/**
 * Records the answer, retrying a store that failed. A record lost for good leaves the claim to
 * lapse with its lease; until then repeats wait or are told the request is in progress.
 */
async function settleReliably(
  store: IdempotencyStore,
  key: string,
  outcome: RecordedOutcome,
  ttlMs: number,
  log: () => Logger,
): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await store.settle(key, outcome, ttlMs);
    } catch (err) {
      const wait = settleBackoffMs[attempt];
      if (wait === undefined) {
        log().error({ err }, "could not record idempotent answer; the key's claim lapses with its lease");
        return;
      }
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}

function recordedError(ce: ConnectError): RecordedOutcome {
  const detail = ce.findDetails(CarrierErrorDetailSchema)[0];
  return {
    kind: "error",
    code: ce.code,
    message: ce.rawMessage,
    detail: detail ? toJson(CarrierErrorDetailSchema, detail) : undefined,
  };
}

/** Rebuilds the recorded answer: the response, or the same error with the same detail. */
function replay(outcome: RecordedOutcome, send: ValidSend): SendOtpResponse {
  if (outcome.kind === "ok") {
    // Records from before the compact form carry the whole response; the values agree.
    return {
      ...fromJson(SendOtpResponseSchema, outcome.response, { ignoreUnknownFields: true }),
      status: DeliveryStatus.ACCEPTED,
      channel: send.channel,
      maskedPhoneNumber: send.phone.masked,
    };
  }
  const details = outcome.detail
    ? [
        {
          desc: CarrierErrorDetailSchema,
          value: fromJson(CarrierErrorDetailSchema, outcome.detail, { ignoreUnknownFields: true }),
        },
      ]
    : [];
  throw new ConnectError(outcome.message, outcome.code as Code, undefined, details);
}

function fingerprintOf(send: ValidSend): string {
  const parts = [send.channel, send.phone.e164, send.code, send.text, send.locale];
  return hash("sha256", parts.join("\u0000"), "base64url").slice(0, 22);
}
