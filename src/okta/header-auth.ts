import { createHash, timingSafeEqual } from "node:crypto";

/**
 * Compares a presented secret with the expected one in time independent of where they differ
 * and of the presented length (both are hashed to 32 bytes first).
 */
export function createSecretMatcher(expected: string): (presented: string | string[] | undefined) => boolean {
  const expectedDigest = createHash("sha256").update(expected).digest();
  return (presented) => {
    if (typeof presented !== "string") return false;
    const digest = createHash("sha256").update(presented).digest();
    return timingSafeEqual(digest, expectedDigest);
  };
}
