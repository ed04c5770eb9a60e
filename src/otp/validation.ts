import { isIP } from "node:net";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { type CountryCode, isSupportedCountry } from "libphonenumber-js/max";
import { Channel, type SendOtpRequest } from "../../gen/otp/v1/otp_pb.js";
import { type PhoneNumber, PhoneNumberError, parsePhoneNumber } from "../phone.js";
import { invalidArgument, type Violation } from "./errors.js";
import { codePattern, idempotencyKeyPattern } from "./request-rules.js";
import { smsTemplateFor, smsText } from "./sms-text.js";

/** A SendOtp request that passed every check, in the forms the rest of the send needs. */
export interface ValidSend {
  readonly channel: Channel.SMS | Channel.VOICE;
  /** The channel as logs, spans, metrics and the policy name it. */
  readonly channelName: "sms" | "voice";
  readonly phone: PhoneNumber;
  /** The SMS body; empty for voice, whose script is built from the code. */
  readonly text: string;
  readonly code: string;
  readonly locale: string;
  /** The language of the template the gateway filled in; undefined when the caller sent the text. */
  readonly textLanguage?: string;
  readonly idempotencyKey: string;
  readonly purpose: string;
  readonly userId: string;
  /** The person's client address, or "" when the caller did not say. */
  readonly clientIp: string;
  readonly expiresAt?: Date;
}

export interface ValidationRules {
  /** Region for numbers without "+" when the request names none. */
  readonly defaultRegion?: CountryCode;
  /** SMS text when the caller sends none; contains "{code}". */
  readonly smsTemplate: string;
  /** Templates by language over the built-in ones (OTP_SMS_TEMPLATES). */
  readonly smsTemplates?: Readonly<Record<string, string>>;
}

const maxTextLength = 1000;

const violation = (field: string, description: string, reason: string, separator = " "): Violation => ({
  field,
  description,
  reason,
  message: `${field}${separator}${description}`,
});

/** Checks a request once, for every caller; throws INVALID_ARGUMENT naming each wrong field. */
export function validateSend(req: SendOtpRequest, rules: ValidationRules, now: number): ValidSend {
  const violations: Violation[] = [];
  const channelOk = req.channel === Channel.SMS || req.channel === Channel.VOICE;
  if (!channelOk) violations.push(violation("channel", "must be CHANNEL_SMS or CHANNEL_VOICE", "invalid"));
  const phone = readPhone(req, rules, violations);
  const codeOk = codePattern.test(req.code);
  if (!codeOk) violations.push(violation("code", "must be 4 to 10 letters or digits", "invalid"));
  if (req.text.length > maxTextLength)
    violations.push(violation("text", `must be at most ${maxTextLength} characters`, "too_long"));
  if (req.locale.length > 35) violations.push(violation("locale", "must be at most 35 characters", "too_long"));
  if (req.idempotencyKey !== "" && !idempotencyKeyPattern.test(req.idempotencyKey)) {
    violations.push(violation("idempotency_key", "must be at most 128 characters of A-Z a-z 0-9 . _ : -", "invalid"));
  }
  const expiresAt = req.expiresAt ? timestampDate(req.expiresAt) : undefined;
  if (expiresAt && expiresAt.getTime() <= now) {
    violations.push(violation("expires_at", "is in the past: the code has already expired", "expired"));
  }
  if (req.purpose.length > 128) violations.push(violation("purpose", "must be at most 128 characters", "too_long"));
  if (req.userId.length > 128) violations.push(violation("user_id", "must be at most 128 characters", "too_long"));
  if (req.clientIp !== "" && isIP(req.clientIp) === 0) {
    violations.push(violation("client_ip", "must be an IPv4 or IPv6 address", "invalid"));
  }

  let text = "";
  let textLanguage: string | undefined;
  if (req.channel === Channel.SMS && codeOk && req.text.length <= maxTextLength) {
    const templated =
      req.text.trim() === "" ? smsTemplateFor(req.locale, rules.smsTemplate, rules.smsTemplates) : undefined;
    const body = smsText(req.code, req.text, templated?.template ?? rules.smsTemplate);
    if (body === undefined)
      violations.push(violation("text", "must contain the code (or a {code} placeholder)", "code_missing"));
    else text = body;
    textLanguage = templated?.language;
  }
  if (violations.length > 0 || !channelOk || phone === undefined) throw invalidArgument(violations);
  return {
    channel: req.channel as Channel.SMS | Channel.VOICE,
    channelName: req.channel === Channel.SMS ? "sms" : "voice",
    phone,
    text,
    code: req.code,
    locale: req.locale,
    textLanguage,
    idempotencyKey: req.idempotencyKey,
    purpose: req.purpose,
    userId: req.userId,
    clientIp: req.clientIp,
    expiresAt,
  };
}

/** The destination, or undefined with its violation (or the region's) recorded. */
function readPhone(req: SendOtpRequest, rules: ValidationRules, violations: Violation[]): PhoneNumber | undefined {
  let region = rules.defaultRegion;
  if (req.defaultRegion !== "") {
    const upper = req.defaultRegion.toUpperCase();
    if (!isSupportedCountry(upper)) {
      // Without a region the number cannot be read as meant, so it is not judged.
      violations.push(violation("default_region", "must be an ISO 3166-1 alpha-2 region such as US", "invalid"));
      return undefined;
    }
    region = upper;
  }
  try {
    return parsePhoneNumber(req.phoneNumber, region);
  } catch (err) {
    if (!(err instanceof PhoneNumberError)) throw err;
    violations.push(violation("phone_number", err.message, err.problem, ": "));
    return undefined;
  }
}
