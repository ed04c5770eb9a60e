import { oktaSecret } from "./gateway.js";

export interface HookOverrides {
  eventId?: string;
  requestType?: string;
  phoneNumber?: string;
  otpCode?: string | number;
  deliveryChannel?: string;
  msgTemplate?: string | undefined;
  locale?: string;
  otpExpires?: string;
  /** Okta's `source`; undefined leaves it out, as a hand-made local request would. */
  source?: string | undefined;
  /** Make it a request from the hook's Preview tab. */
  preview?: boolean;
  /** Okta's user id (the per-user limit's key). */
  userId?: string;
}

let counter = 0;

/** A telephony hook body shaped like Okta's reference sample, with a fresh eventId. */
export function oktaHookBody(o: HookOverrides = {}) {
  counter += 1;
  const otpCode = o.otpCode ?? "482913";
  return {
    eventId: o.eventId ?? `evt${Date.now().toString(36)}${counter}`,
    eventTime: new Date().toISOString(),
    eventType: "com.okta.telephony.provider",
    eventTypeVersion: "1.0",
    contentType: "application/json",
    cloudEventVersion: "0.1",
    source: "source" in o ? o.source : "https://example.okta.com/api/v1/inlineHooks/calEXAMPLE0000000001",
    requestType: o.requestType ?? "com.okta.user.telephony.mfa-verification",
    data: {
      context: {
        request: {
          id: "reqEXAMPLE",
          method: "POST",
          url: {
            value: o.preview
              ? "/api/internal/v1/inlineHooks/com.okta.telephony.provider/generatePreview"
              : "/idp/idx/challenge",
          },
          ipAddress: "203.0.113.7",
        },
      },
      userProfile: {
        firstName: "Ada",
        lastName: "Lovelace",
        login: "ada@example.com",
        userId: o.userId ?? "00uEXAMPLE",
      },
      messageProfile: {
        ...("msgTemplate" in o
          ? o.msgTemplate === undefined
            ? {}
            : { msgTemplate: o.msgTemplate }
          : { msgTemplate: `Your verification code is ${otpCode}` }),
        phoneNumber: o.phoneNumber ?? "+447911123456",
        otpExpires: o.otpExpires ?? new Date(Date.now() + 5 * 60_000).toISOString(),
        deliveryChannel: o.deliveryChannel ?? "SMS",
        otpCode,
        locale: o.locale ?? "EN-US",
      },
    },
  };
}

/** POSTs to the hook the way Okta does (plain HTTP/1.1, JSON, the configured auth header). */
export async function postHook(
  baseUrl: string,
  body: unknown,
  headers: Record<string, string> = { authorization: oktaSecret },
): Promise<{ status: number; json: any; elapsedMs: number }> {
  const started = performance.now();
  const res = await fetch(`${baseUrl}/okta/telephony`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined, elapsedMs: performance.now() - started };
}
