/** A successful verification with a phone factor, as Okta's event hook reports it. */
export interface PhoneVerification {
  /** Okta's id of the event, for logs. */
  readonly eventId: string;
  /** Okta's user id (the hook's `userId` of the send). */
  readonly userId: string;
  readonly channel: "sms" | "voice";
  /** When Okta says it happened (ms since the epoch). */
  readonly at: number;
}

// Classic and OIE: a sign-in's MFA verification, and an enrollment's activation.
const phoneEvents = new Set(["user.authentication.auth_via_mfa", "user.mfa.factor.activate"]);

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : {});
const text = (v: unknown): string => (typeof v === "string" ? v : "");

/**
 * The phone verifications in an event hook body (`data.events[]`), or undefined when the body
 * is not one. Read liberally: Okta names the factor in several places across Classic and OIE
 * (debugData `factor`/`factorType`, the outcome's reason, an authenticator target), so each is
 * looked at; anything that names no phone factor, or did not succeed, is left out.
 */
export function phoneVerifications(body: unknown, now: number): PhoneVerification[] | undefined {
  const events = obj(obj(body).data).events;
  if (!Array.isArray(events)) return undefined;
  const found: PhoneVerification[] = [];
  for (const raw of events.slice(0, 100)) {
    const event = obj(raw);
    if (!phoneEvents.has(text(event.eventType))) continue;
    if (text(obj(event.outcome).result).toUpperCase() !== "SUCCESS") continue;
    const channel = factorChannel(event);
    const userId = userOf(event);
    if (!channel || !userId) continue;
    const published = Date.parse(text(event.published));
    found.push({
      eventId: text(event.uuid).slice(0, 64),
      userId,
      channel,
      at: Number.isFinite(published) ? published : now,
    });
  }
  return found;
}

function factorChannel(event: Obj): "sms" | "voice" | undefined {
  const debug = obj(obj(event.debugContext).debugData);
  const targets = Array.isArray(event.target) ? event.target.map(obj) : [];
  const words = [
    text(debug.factor),
    text(debug.factorType),
    text(obj(event.outcome).reason),
    ...targets.flatMap((t) => [
      text(t.type) === "AuthenticatorEnrollment" || text(t.type) === "Factor" ? text(t.displayName) : "",
      text(obj(t.detailEntry).methodTypeUsed),
    ]),
  ].map((w) => w.toLowerCase());
  if (words.some((w) => /\bsms|sms_factor/.test(w))) return "sms";
  if (words.some((w) => /\bcall|voice|call_factor/.test(w))) return "voice";
  return undefined;
}

function userOf(event: Obj): string | undefined {
  const actor = obj(event.actor);
  if (text(actor.type) === "User" && text(actor.id) !== "") return text(actor.id).slice(0, 128);
  const targets = Array.isArray(event.target) ? event.target.map(obj) : [];
  const user = targets.find((t) => text(t.type) === "User" && text(t.id) !== "");
  return user ? text(user.id).slice(0, 128) : undefined;
}
