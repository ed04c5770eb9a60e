/** Voice profiles 8x8 documents, by locale. The script is English, so only English voices. */
const voiceProfiles: Readonly<Record<string, string>> = {
  "en-us": "en-US-Jenny",
  "en-gb": "en-GB-Emma",
  "en-ie": "en-IE-EmilyNeural",
};
const defaultVoiceProfile = "en-US-Jenny";

/**
 * Picks the voice for a locale as Okta sends it ("EN-US", "en_GB", "en"). An override (from
 * EIGHTBYEIGHT_VOICE_PROFILE) wins; unknown locales and bare "en" get the default (US English) voice.
 */
export function voiceProfileFor(locale: string | undefined, override?: string): string {
  if (override) return override;
  const key = (locale ?? "").trim().toLowerCase().replace(/_/g, "-");
  return voiceProfiles[key] ?? defaultVoiceProfile;
}

/**
 * The spoken script: each character on its own so text-to-speech reads "4, 8, 2" and not
 * "four hundred and eighty-two", and the code twice so a person who picked up late still hears
 * it once in full.
 */
export function voiceScript(code: string): string {
  const spelled = [...code].join(", ");
  return `Your verification code is: ${spelled}. Again, your code is: ${spelled}.`;
}
