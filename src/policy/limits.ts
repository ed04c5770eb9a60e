import { hash } from "node:crypto";

/** One limit to apply to a send: at most `limit` hits on `key` in any window of `windowMs`. */
export interface RateLimitRule {
  /** Which limit this is ("phone", "user", "country", "global", "enrollment_phone"); safe to log. */
  readonly name: string;
  /** Store key; holds no raw phone number. */
  readonly key: string;
  readonly limit: number;
  readonly windowMs: number;
  /**
   * One counter for many senders (per country, global): there are few of them, and a store that
   * must forget keys to stay bounded must never forget these, or the limit stops holding.
   */
  readonly aggregate?: boolean;
  /** An anti-pumping rule: FRAUD_RULES_MODE=monitor counts its refusals instead of refusing. */
  readonly fraud?: boolean;
}

/** A configured limit: `limit` sends per `windowMs`, or undefined when switched off. */
export interface LimitSetting {
  readonly limit: number;
  readonly windowMs: number;
}

export interface RateLimitSettings {
  readonly perPhone?: LimitSetting;
  /** Applied on top of perPhone to `…pre-enrollment` sends, where fraud concentrates. */
  readonly perPhoneEnrollment?: LimitSetting;
  readonly perUser?: LimitSetting;
  readonly perCountry?: LimitSetting;
  readonly global?: LimitSetting;
  /** Per number range (the number without its last 3 digits): pumping walks a range. */
  readonly perPrefix?: LimitSetting;
  /** Per client IP (Okta's view of the person's address, or the RPC's client_ip). */
  readonly perIp?: LimitSetting;
}

const units: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000 };

/** Reads "5/10m", "100/1h", "20/30s"; "off" gives undefined. Throws on anything else. */
export function parseLimit(text: string): LimitSetting | undefined {
  const t = text.trim().toLowerCase();
  if (t === "off") return undefined;
  const m = /^(\d+)\s*\/\s*(\d+)?\s*([smh])$/.exec(t);
  if (!m) throw new Error('must look like "5/10m" (sends per window in s, m or h) or "off"');
  const limit = Number(m[1]);
  const windowMs = Number(m[2] ?? "1") * units[m[3]!]!;
  if (limit < 1 || windowMs < 1000) throw new Error("needs at least 1 send per at least 1 second");
  return { limit, windowMs };
}

// Store keys must not hold a phone number in the clear; a hash still identifies the number.
const hashed = (value: string) => hash("sha256", value, "base64url").slice(0, 22);

export interface SendSubject {
  readonly e164: string;
  readonly region: string;
  readonly userId: string;
  readonly purpose: string;
  /** "" when unknown: the per-IP rule then does not apply. */
  readonly clientIp?: string;
}

/** The rules that apply to one send, in the order they are reported. */
export function rulesFor(settings: RateLimitSettings, subject: SendSubject): RateLimitRule[] {
  const rules: RateLimitRule[] = [];
  // Keys are computed only for limits that are on: hashing is most of this function's cost.
  const { perPhone, perPhoneEnrollment, perUser, perCountry, global, perPrefix, perIp } = settings;
  const enrollment = perPhoneEnrollment && subject.purpose.endsWith("pre-enrollment") ? perPhoneEnrollment : undefined;
  const phone = perPhone || enrollment ? hashed(subject.e164) : "";
  if (perPhone) rules.push(rule("phone", phone, perPhone));
  if (enrollment) rules.push(rule("enrollment_phone", phone, enrollment));
  if (perUser && subject.userId !== "") rules.push(rule("user", hashed(subject.userId), perUser));
  if (perCountry) rules.push(rule("country", subject.region, perCountry, true));
  if (global) rules.push(rule("global", "all", global, true));
  if (perPrefix) rules.push(rule("prefix", hashed(subject.e164.slice(0, -3)), perPrefix, false, true));
  if (perIp && subject.clientIp) rules.push(rule("ip", hashed(subject.clientIp), perIp, false, true));
  return rules;
}

function rule(name: string, key: string, setting: LimitSetting, aggregate = false, fraud = false): RateLimitRule {
  return { name, key: `rl:${name}:${key}`, limit: setting.limit, windowMs: setting.windowMs, aggregate, fraud };
}
