import { hash, timingSafeEqual } from "node:crypto";

// Secrets are compared as SHA-256 digests: equal length always, and the time taken does not
// depend on where the presented value first differs or how long it is.
const digest = (value: string) => hash("sha256", value, "buffer");

/** A constant-time check of a presented secret against one expected secret. */
export function createSecretMatcher(expected: string): (presented: string | string[] | undefined) => boolean {
  const expectedDigest = digest(expected);
  return (presented) => typeof presented === "string" && timingSafeEqual(digest(presented), expectedDigest);
}

/**
 * A constant-time lookup of which named secret was presented. Every secret is compared, so the
 * time taken does not reveal which one (or whether any) matched.
 */
export function createNamedSecretMatcher(
  secrets: ReadonlyMap<string, string>,
): (presented: string) => string | undefined {
  const digests = [...secrets].map(([name, secret]) => ({ name, digest: digest(secret) }));
  return (presented) => {
    const presentedDigest = digest(presented);
    let found: string | undefined;
    for (const candidate of digests) {
      if (timingSafeEqual(presentedDigest, candidate.digest) && found === undefined) found = candidate.name;
    }
    return found;
  };
}
