import type { Context } from "@opentelemetry/api";

/**
 * `inner`'s two sends as plain functions, made once per decorator: a decorator hands them with
 * their arguments to callAsync rather than making a closure per send, and `inner` stays their
 * `this`.
 */
export function sendsOf(inner: Carrier): Pick<Carrier, "sendSms" | "placeVoiceCall"> {
  return {
    sendSms: (message, options) => inner.sendSms(message, options),
    placeVoiceCall: (call, options) => inner.placeVoiceCall(call, options),
  };
}

/** What every carrier (8x8, the sandbox) offers the OTP service. */
export interface Carrier {
  /** Name reported to callers and Okta as the provider ("8x8", "sandbox"). */
  readonly name: string;
  /** Whether voice calls can be placed (8x8 voice needs a whitelisted caller id). */
  readonly voiceEnabled: boolean;
  sendSms(message: SmsMessage, options: SendOptions): Promise<CarrierAcceptance>;
  placeVoiceCall(call: VoiceCall, options: SendOptions): Promise<CarrierAcceptance>;
  /** State worth showing on /readyz (circuit breakers); absent when there is none. */
  health?(): Record<string, unknown>;
  /**
   * Whether a call's script may be in `language` (a key of i18n/languages.ts): some voice of the
   * carrier reads it. Absent: every language is spoken.
   */
  speaks?(language: string): boolean;
  /** Where the voices come from and how many languages and locales have one, for /readyz. */
  voices?(): VoicesStatus;
  /** Settles once what the carrier reads at start-up (its voices) has been read or has failed. */
  ready?(): Promise<void>;
  /**
   * Tells the carrier whether the code of an accepted SMS was used (8x8's Feedback API, with
   * EIGHTBYEIGHT_FEEDBACK). Never throws and never waits: the carrier queues it.
   */
  reportOutcome?(providerMessageId: string, converted: boolean, acceptedAt: number): void;
  /** Only on a carrier that delivers nothing (the sandbox): the sends it accepted, newest first. */
  recordedSends?(): readonly RecordedSend[];
  /** Releases connection pools; pending sends are allowed to finish. */
  close(): Promise<void>;
}

export interface VoicesStatus {
  /** "8x8" once the subaccount's speech profiles were read; "built-in" before or without them. */
  readonly source: string;
  readonly languages: number;
  readonly locales: number;
}

export interface SmsMessage {
  /** E.164 with "+". */
  readonly to: string;
  readonly text: string;
  /**
   * What leads back to the request (the idempotency key, else the delivery id); the carrier
   * echoes it in receipts, shortened to its own limit.
   */
  readonly reference: string;
  /** The carrier drops the message if it has not gone out by then. */
  readonly expiresAt?: Date;
  /** The person's client address, for the carrier's own per-IP limits; "" when unknown. */
  readonly clientIp?: string;
}

export interface VoiceCall {
  /** E.164 with "+". */
  readonly to: string;
  /** The script read to the person. */
  readonly text: string;
  /** The person's locale as the caller gave it ("EN-US", "en_gb", ""): the carrier picks a voice. */
  readonly locale: string;
  /** The script's language (a key of i18n/languages.ts, one `speaks` accepted): the voice must read it. */
  readonly language: string;
  /** How many times the carrier repeats the script. */
  readonly repetition: number;
  readonly expiresAt?: Date;
}

export interface SendOptions {
  /** Aborts the carrier call; the send's outcome is then unknown unless the error says otherwise. */
  readonly signal?: AbortSignal;
  /** Milliseconds the carrier call may take in total, connection included. */
  readonly timeoutMs: number;
  /** The send's trace: the carrier call's span goes under it (none without it). */
  readonly trace?: Context;
}

export interface CarrierAcceptance {
  /** 8x8 SMS umid or voice sessionId. */
  readonly providerMessageId: string;
  /** The speech profile that reads a call. */
  readonly voiceProfile?: string;
  /** The carrier's own word for acceptance ("QUEUED", "CREATED"). */
  readonly providerStatus: string;
}

/** A send kept by a carrier that delivers nothing, as `GET /sandbox/messages` shows it. */
export interface RecordedSend {
  readonly id: string;
  readonly channel: "sms" | "voice";
  /** Masked: a recorded send never shows a full number. */
  readonly to: string;
  /** The SMS text or voice script; it holds the code, which is the developer's own test code. */
  readonly text: string;
  readonly locale?: string;
  readonly clientMessageId?: string;
  readonly acceptedAt: string;
}

/**
 * Why a carrier did not accept a send.
 *
 * - `invalid_destination`: the carrier says the number cannot be reached; do not retry.
 * - `rejected`: the carrier refused this message (content, sender id, coverage); do not retry.
 * - `misconfigured`: our credentials, subaccount or TLS are wrong; no send will work until fixed.
 * - `rate_limited`: the carrier asked us to slow down; `retryAfterMs` says for how long.
 * - `unavailable`: the carrier was unreachable or failed, and provably did not accept the send.
 * - `timeout`: the deadline passed first; the send may or may not have gone out.
 * - `unknown`: the carrier answered with something unreadable; the send may have gone out.
 * - `disabled`: the channel is not configured on this gateway.
 */
export type CarrierFailure =
  | "invalid_destination"
  | "rejected"
  | "misconfigured"
  | "rate_limited"
  | "unavailable"
  | "timeout"
  | "unknown"
  | "disabled";

export interface CarrierErrorInit {
  readonly provider: string;
  readonly providerCode?: string;
  readonly providerErrorId?: string;
  readonly httpStatus?: number;
  readonly retryAfterMs?: number;
  /** True only when the carrier certainly did not take the send (safe to retry elsewhere). */
  readonly notSent?: boolean;
  readonly cause?: unknown;
}

/**
 * A carrier failure. `message` is an operator-facing description with no phone number, code or
 * credential in it; the carrier's own text stays in `providerMessage` for logs.
 */
export class CarrierError extends Error {
  readonly provider: string;
  readonly providerCode?: string;
  readonly providerErrorId?: string;
  readonly httpStatus?: number;
  readonly retryAfterMs?: number;
  readonly notSent: boolean;

  constructor(
    readonly failure: CarrierFailure,
    message: string,
    init: CarrierErrorInit,
  ) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = "CarrierError";
    this.provider = init.provider;
    if (init.providerCode !== undefined) this.providerCode = init.providerCode;
    if (init.providerErrorId !== undefined) this.providerErrorId = init.providerErrorId;
    if (init.httpStatus !== undefined) this.httpStatus = init.httpStatus;
    if (init.retryAfterMs !== undefined) this.retryAfterMs = init.retryAfterMs;
    this.notSent = init.notSent ?? false;
  }
}
