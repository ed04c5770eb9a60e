import { randomInt, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { oneOf, output, readArgs, required, UsageError } from "../args.js";

export const usage = `otp-gateway okta-preview [body.json] --to <+E.164> [--channel sms|voice]
                    [--url http://localhost:8080] [--secret <hook secret>] [--json]
  Posts an Okta telephony hook request as Okta's Preview tab does (its sample built in, or
  body.json) and says what Okta makes of the answer. The secret comes from --secret or
  OKTA_AUTH_SECRET, in the header OKTA_AUTH_HEADER names (authorization).`;

/** Okta's preview sample, with the number and channel given and a fresh code and event id. */
function previewBody(to: string, channel: "sms" | "voice") {
  const code = String(randomInt(0, 1_000_000)).padStart(6, "0");
  return {
    eventId: randomUUID(),
    eventTime: new Date().toISOString(),
    eventType: "com.okta.telephony.provider",
    eventTypeVersion: "1.0",
    contentType: "application/json",
    cloudEventVersion: "0.1",
    requestType: "com.okta.user.telephony.pre-enrollment",
    data: {
      context: {
        request: { url: { value: "/api/internal/v1/inlineHooks/com.okta.telephony.provider/generatePreview" } },
      },
      userProfile: { firstName: "Preview", lastName: "User", login: "preview@example.com", userId: "00uPREVIEW" },
      messageProfile: {
        msgTemplate: channel === "sms" ? `Your verification code is ${code}` : undefined,
        phoneNumber: to,
        otpExpires: new Date(Date.now() + 5 * 60_000).toISOString(),
        deliveryChannel: channel === "sms" ? "SMS" : "Voice",
        otpCode: code,
        locale: "EN-US",
      },
    },
  };
}

/** `okta-preview`: the hook as Okta calls it, and Okta's reading of the answer. */
export async function oktaPreview(argv: string[]): Promise<number> {
  const { values, positionals } = readArgs(
    argv,
    {
      to: { type: "string" },
      channel: { type: "string", default: "sms" },
      url: { type: "string", default: "http://localhost:8080" },
      secret: { type: "string" },
    },
    1,
  );
  const channel = oneOf(String(values.channel), ["sms", "voice"], "channel");
  const body = positionals[0] ? readBody(positionals[0], values.to) : previewBody(required(values, "to"), channel);
  const secret = typeof values.secret === "string" ? values.secret : process.env.OKTA_AUTH_SECRET;
  if (!secret) throw new UsageError("the hook secret is needed: --secret or OKTA_AUTH_SECRET");
  const header = (process.env.OKTA_AUTH_HEADER || "authorization").toLowerCase();
  const res = await fetch(`${String(values.url).replace(/\/+$/, "")}/okta/telephony`, {
    method: "POST",
    headers: { "content-type": "application/json", [header]: secret },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(5_000),
  });
  const answer = (await res.json().catch(() => ({}))) as OktaAnswer;
  const view = oktaView(res.status, answer);
  output(values.json === true, { status: res.status, answer, okta: view.summary }, [view.summary]);
  return view.sent ? 0 : 1;
}

/** A saved hook body (Okta's Preview tab shows one), with its number replaced when --to is given. */
function readBody(file: string, to: unknown): unknown {
  const body = JSON.parse(readFileSync(file, "utf8")) as { data?: { messageProfile?: { phoneNumber?: string } } };
  if (typeof to === "string" && body.data?.messageProfile) body.data.messageProfile.phoneNumber = to;
  return body;
}

interface OktaAnswer {
  commands?: Array<{
    value?: Array<{ status?: string; provider?: string; transactionId?: string; transactionMetadata?: string }>;
  }>;
  error?: { errorSummary?: string; errorCauses?: Array<{ errorSummary?: string; reason?: string }> };
}

/** What Okta does with the gateway's answer, in a sentence. */
function oktaView(status: number, answer: OktaAnswer): { sent: boolean; summary: string } {
  if (status !== 200) {
    const cause = answer.error?.errorCauses?.[0]?.errorSummary ?? answer.error?.errorSummary ?? "";
    return {
      sent: false,
      summary: `HTTP ${status}: Okta skips the hook and sends the code itself${cause ? ` (${cause})` : ""}`,
    };
  }
  const action = answer.commands?.[0]?.value?.[0];
  if (action?.status === "SUCCESSFUL") {
    return {
      sent: true,
      summary: `SUCCESSFUL via ${action.provider} (transactionId ${action.transactionId ?? "none"}): the code counts as sent`,
    };
  }
  if (action?.status === "FAILED") {
    return { sent: false, summary: `FAILED (${action.transactionMetadata}): Okta falls back to its own providers` };
  }
  return { sent: false, summary: `an error object: "${answer.error?.errorSummary}" (the user may see it)` };
}
