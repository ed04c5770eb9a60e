import { timingSafeEqual } from "node:crypto";

/**
 * One expected secret's constant-time check: the presented value is written into a buffer of
 * the secret's length and compared in full, so the time taken does not depend on where the
 * presented value first differs, nor on the secret's length (only on the caller's own input's).
 * No digest per request: hashing the presented value was the costliest step of a hook's
 * authentication (bench/README.md). One scratch buffer per secret: checks are synchronous.
 */
class FixedLengthSecret {
  private readonly expected: Buffer;
  private readonly scratch: Buffer;

  constructor(secret: string) {
    this.expected = Buffer.from(secret, "utf8");
    this.scratch = Buffer.alloc(this.expected.length);
  }

  matches(presented: string): boolean {
    this.scratch.write(presented, "utf8");
    const same = timingSafeEqual(this.scratch, this.expected);
    // A longer value fills the buffer with its start, a shorter one leaves an earlier value's
    // end in it: only a value of exactly the secret's length can match.
    return same && Buffer.byteLength(presented, "utf8") === this.expected.length;
  }
}

/** A constant-time check of a presented secret against one expected secret. */
export function createSecretMatcher(expected: string): (presented: string | string[] | undefined) => boolean {
  const secret = new FixedLengthSecret(expected);
  return (presented) => typeof presented === "string" && secret.matches(presented);
}

/**
 * A constant-time lookup of which named secret was presented. Every secret is compared, so the
 * time taken does not reveal which one (or whether any) matched.
 */
export function createNamedSecretMatcher(
  secrets: ReadonlyMap<string, string>,
): (presented: string) => string | undefined {
  const candidates = [...secrets].map(([name, secret]) => ({ name, secret: new FixedLengthSecret(secret) }));
  return (presented) => {
    let found: string | undefined;
    for (const candidate of candidates) {
      if (candidate.secret.matches(presented) && found === undefined) found = candidate.name;
    }
    return found;
  };
}
