import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  hkdfSync,
  randomBytes,
  randomInt,
  timingSafeEqual,
} from "node:crypto";

/** Keys derived from VERIFY_HASH_KEY, one per use, so no value serves two purposes. */
export interface VerifyKeys {
  /** HMAC of a code, the only form a check compares. */
  readonly check: Buffer;
  /** AES-256-GCM of the code and number, so a resend can send the same code to the same phone. */
  readonly seal: Buffer;
  /** HMAC naming "the pending verification of this caller, number and purpose" without the number. */
  readonly index: Buffer;
}

export function deriveKeys(hashKey: string): VerifyKeys {
  const derive = (use: string) => Buffer.from(hkdfSync("sha256", hashKey, "otp-gateway verify", use, 32));
  return { check: derive("check"), seal: derive("seal"), index: derive("index") };
}

/** A code of `length` digits, uniform over all of them (leading zeros included), from the CSPRNG. */
export function newCode(length: number): string {
  // randomInt takes ranges below 2^48: up to 10 digits in one draw.
  return String(randomInt(0, 10 ** length)).padStart(length, "0");
}

/** What a check compares: HMAC-SHA256 of the verification's id and the code, hex. */
export function codeHash(keys: VerifyKeys, verificationId: string, code: string): string {
  return createHmac("sha256", keys.check).update(`${verificationId}\u0000${code}`).digest("hex");
}

/** Constant-time equality of two hex digests. */
export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, "hex");
  const y = Buffer.from(b, "hex");
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

export function indexKey(keys: VerifyKeys, caller: string, e164: string, purpose: string): string {
  return createHmac("sha256", keys.index).update(`${caller}\u0000${e164}\u0000${purpose}`).digest("base64url");
}

/** What a resend needs, sealed to the verification's id: the code and the number. */
export interface Sealed {
  readonly code: string;
  readonly e164: string;
}

export function seal(keys: VerifyKeys, verificationId: string, value: Sealed): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", keys.seal, iv).setAAD(Buffer.from(verificationId));
  const text = Buffer.concat([cipher.update(JSON.stringify(value), "utf8"), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), text]).toString("base64url");
}

/** Throws when the value was not sealed with these keys for this id. */
export function unseal(keys: VerifyKeys, verificationId: string, sealed: string): Sealed {
  const raw = Buffer.from(sealed, "base64url");
  const decipher = createDecipheriv("aes-256-gcm", keys.seal, raw.subarray(0, 12)).setAAD(Buffer.from(verificationId));
  decipher.setAuthTag(raw.subarray(12, 28));
  const text = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8");
  return JSON.parse(text) as Sealed;
}
