/** Speech profiles 8x8 documents, by locale. The script is English, so only English voices. */
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
export function voiceProfileFor(locale: string, override?: string): string {
  if (override) return override;
  const key = locale.trim().toLowerCase().replace(/_/g, "-");
  return voiceProfiles[key] ?? defaultVoiceProfile;
}
