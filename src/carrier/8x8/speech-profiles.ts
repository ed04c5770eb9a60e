/** One 8x8 speech profile: `speechProfileCode`, `localeCode` and `gender` of 8x8's list. */
export interface SpeechProfile {
  readonly code: string;
  /** "fr-FR" */
  readonly locale: string;
  /** "female", "male", lower case; absent when 8x8 does not say. */
  readonly gender?: string;
}

/** A field of an object whatever its key's case (8x8's own examples vary). */
function field(value: unknown, name: string): unknown {
  if (typeof value !== "object" || value === null) return undefined;
  const lower = name.toLowerCase();
  for (const [key, v] of Object.entries(value)) if (key.toLowerCase() === lower) return v;
  return undefined;
}

/**
 * Reads `GET …/speech-profiles` liberally: `{ speechProfiles: [{ speechProfileCode, localeCode,
 * gender }] }` in any key case; entries without a code and a locale are skipped. An empty
 * array means the body was not such a list.
 */
export function parseSpeechProfiles(json: unknown): SpeechProfile[] {
  const list = field(json, "speechProfiles");
  if (!Array.isArray(list)) return [];
  const profiles: SpeechProfile[] = [];
  for (const item of list.slice(0, 5_000)) {
    const code = field(item, "speechProfileCode");
    const locale = field(item, "localeCode");
    const gender = field(item, "gender");
    if (
      typeof code !== "string" ||
      typeof locale !== "string" ||
      code.length > 100 ||
      !/^[A-Za-z-]{2,20}$/.test(locale)
    )
      continue;
    profiles.push({ code, locale, ...(typeof gender === "string" ? { gender: gender.toLowerCase() } : {}) });
  }
  return profiles;
}
