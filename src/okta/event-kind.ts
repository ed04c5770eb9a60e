import type { OktaTelephonyRequest } from "./telephony-types.js";

/** Where an Okta event comes from, which decides what a gateway that delivers nothing may answer. */
export interface EventKind {
  /** Okta's hook Preview tab (its URL ends in /generatePreview). */
  readonly preview: boolean;
  /**
   * A sign-in of a real Okta org: Okta names the hook in `source` and it is not a Preview, nor
   * an org in Okta's preview cells (`*.oktapreview.com`), which exist to try things.
   */
  readonly realSignIn: boolean;
  /** A Preview still carrying Okta's placeholder number, which belongs to a stranger somewhere. */
  readonly placeholderNumber: boolean;
}

// Okta's preview sample number, in whatever region the gateway reads numbers without "+".
const previewPlaceholder = "9876543210";

export function eventKind(body: OktaTelephonyRequest): EventKind {
  const preview = body.data.context?.request?.url?.value?.endsWith("/generatePreview") ?? false;
  const host = hostOf(body.source);
  const realSignIn = !preview && host !== undefined && !host.endsWith(".oktapreview.com");
  const digits = String(body.data.messageProfile.phoneNumber).replace(/\D/g, "");
  const placeholderNumber = preview && digits.endsWith(previewPlaceholder) && digits.length <= 13;
  return { preview, realSignIn, placeholderNumber };
}

function hostOf(source: string | undefined): string | undefined {
  if (!source) return undefined;
  try {
    return new URL(source).hostname.toLowerCase();
  } catch {
    // Not a URL: no Okta org sends that, so it is treated as a local try.
    return undefined;
  }
}
