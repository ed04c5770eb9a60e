import { hash } from "node:crypto";

// 8x8 documents 350 characters, but the live API refuses more than 50 (error 3009).
const maxLength = 50;

/**
 * 8x8 echoes clientMessageId in receipts, so it should lead back to the request: the send's
 * reference as it is when it fits, otherwise a hash of it that does.
 */
export function clientMessageIdFor(reference: string): string {
  if (reference.length <= maxLength) return reference;
  return hash("sha256", reference, "base64url").slice(0, 43);
}
