import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { Channel } from "../../gen/otp/v1/otp_pb.js";
import { type Verification, VerificationSchema, VerificationStatus } from "../../gen/otp/v1/verify_pb.js";
import { stateAt, type VerificationRecord, type VerificationState } from "./verification.js";

export const statuses: Record<VerificationState, VerificationStatus> = {
  pending: VerificationStatus.PENDING,
  approved: VerificationStatus.APPROVED,
  failed: VerificationStatus.FAILED,
  expired: VerificationStatus.EXPIRED,
  canceled: VerificationStatus.CANCELED,
};

export const wireChannel = (c: "sms" | "voice") => (c === "voice" ? Channel.VOICE : Channel.SMS);
export const channelName = (c: Channel) => (c === Channel.VOICE ? "voice" : "sms");

/** A verification as GetVerification shows it: never its code, hash or seal. */
export function verificationMessage(r: VerificationRecord, now: number): Verification {
  return create(VerificationSchema, {
    verificationId: r.id,
    status: statuses[stateAt(r, now)],
    maskedPhoneNumber: r.maskedPhone,
    channels: r.channels.map(wireChannel),
    sends: r.sends,
    attempts: r.attempts,
    attemptsRemaining: Math.max(0, r.maxAttempts - r.attempts),
    createdAt: timestampFromMs(r.createdAt),
    expiresAt: timestampFromMs(r.expiresAt),
    purpose: r.purpose,
    deliveryIds: [...r.deliveryIds],
  });
}
