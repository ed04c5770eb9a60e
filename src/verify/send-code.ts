import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import type { HandlerContext } from "@connectrpc/connect";
import { type Channel, SendOtpRequestSchema } from "../../gen/otp/v1/otp_pb.js";
import {
  type StartVerificationRequest,
  type StartVerificationResponse,
  StartVerificationResponseSchema,
  VerificationStatus,
} from "../../gen/otp/v1/verify_pb.js";
import { CarrierError } from "../carrier/index.js";
import { spanOf } from "../observability/trace-context.js";
import { connectErrorFromCarrier } from "../otp/errors.js";
import { validateSend } from "../otp/validation.js";
import { unseal } from "./codes.js";
import { keysOf, storeCall, type VerifyDeps } from "./deps.js";
import { wireChannel } from "./messages.js";
import { channelFor, type VerificationRecord } from "./verification.js";

// One send of a verification's code, and the answer StartVerification gives for it.

/** Sends the code by the channel of send `index`, then records the send on the verification. */
export async function sendAndRecord(
  deps: VerifyDeps,
  record: VerificationRecord,
  code: string,
  send: { readonly index: number; readonly idempotencyKey: string },
  ctx: HandlerContext,
  result: "started" | "resent",
): Promise<StartVerificationResponse> {
  const channel = channelFor(record, send.index);
  const { e164 } = unseal(keysOf(deps), record.id, record.sealed);
  const request = sendRequest(
    { phoneNumber: e164, locale: record.locale, purpose: record.purpose, userId: record.userId, defaultRegion: "" },
    code,
    wireChannel(channel),
    `${record.id}.${send.index}`,
    record.expiresAt,
  );
  const valid = validateSend(request, deps.rules, deps.now());
  spanOf(ctx.values)?.setAttributes({ "otp.verification_id": record.id, "otp.phone.masked": record.maskedPhone });
  let sent: Awaited<ReturnType<VerifyDeps["send"]>>;
  try {
    sent = await deps.send(valid, { caller: record.caller, ctx });
  } catch (err) {
    throw err instanceof CarrierError ? connectErrorFromCarrier(err) : err;
  }
  const after = await storeCall(() =>
    deps.store.update(record.id, (r) => ({
      ...r,
      channels: [...r.channels, channel],
      deliveryIds: [...r.deliveryIds, sent.deliveryId],
      lastKey: send.idempotencyKey,
    })),
  );
  deps.metrics?.verifications.inc({ channel, result });
  deps.logger.info(
    { verificationId: record.id, to: record.maskedPhone, channel, send: send.index + 1, deliveryId: sent.deliveryId },
    result === "started" ? "verification started" : "verification code sent again",
  );
  return answer(deps, after ?? record);
}

export function answer(deps: VerifyDeps, r: VerificationRecord): StartVerificationResponse {
  return create(StartVerificationResponseSchema, {
    verificationId: r.id,
    status: VerificationStatus.PENDING,
    expiresAt: timestampFromMs(r.expiresAt),
    maskedPhoneNumber: r.maskedPhone,
    channel: wireChannel(r.channels.at(-1) ?? r.plan[0]!),
    sends: r.sends,
    nextResendAt: timestampFromMs(r.lastSendAt + deps.settings.resendIntervalMs),
    deliveryId: r.deliveryIds.at(-1) ?? "",
  });
}

type SendFields = Pick<StartVerificationRequest, "phoneNumber" | "locale" | "purpose" | "userId" | "defaultRegion">;

export function sendRequest(
  req: SendFields,
  code: string,
  channel: Channel,
  idempotencyKey: string,
  expiresAt?: number,
) {
  return create(SendOtpRequestSchema, {
    channel,
    phoneNumber: req.phoneNumber,
    code,
    locale: req.locale,
    idempotencyKey,
    purpose: req.purpose,
    userId: req.userId,
    defaultRegion: req.defaultRegion,
    expiresAt: expiresAt === undefined ? undefined : timestampFromMs(expiresAt),
  });
}
