import { canonicalLocale, languages, parseLocale, scriptLanguageOf } from "../../i18n/locale.js";
import type { VoicesStatus } from "../carrier.js";
import type { CarrierHttpClient } from "../http-pool.js";
import { parseSpeechProfiles, type SpeechProfile } from "./speech-profiles.js";

export type { SpeechProfile } from "./speech-profiles.js";

/**
 * Profiles seen in 8x8's own documents and samples (../shared/spec/8x8-apis.md §7): what a call
 * uses until the subaccount's list has been read, or when it cannot be. Only these, so a call
 * never names a profile 8x8 would refuse (-1002); a language without one here is read in
 * English until the list arrives.
 */
export const builtInProfiles: readonly SpeechProfile[] = [
  { code: "en-US-Jenny", locale: "en-US" },
  { code: "en-GB-Emma", locale: "en-GB" },
  { code: "en-IE-EmilyNeural", locale: "en-IE" },
  { code: "da-DK-Naja", locale: "da-DK", gender: "female" },
  { code: "ar-EG-SalmaNeural", locale: "ar-EG" },
  { code: "ar-SA-ZariyahNeural", locale: "ar-SA" },
  { code: "zh-CN-XiaoxiaoNeural", locale: "zh-CN" },
  { code: "zh-TW-HsiaoChenNeural", locale: "zh-TW" },
];

export interface VoiceCatalogueOptions {
  readonly http: CarrierHttpClient;
  readonly subaccountId: string;
  /** How often the list is read again; 0 reads it once. */
  readonly refreshMs: number;
  /** "female" or "male": preferred when a locale has both. */
  readonly gender?: string;
  /** Told of each reading: how many profiles, or why it failed (the built-in or last list stays). */
  readonly onRefresh?: (outcome: { ok: true; status: VoicesStatus } | { ok: false; reason: string }) => void;
}

export interface VoiceCatalogue {
  speaks(language: string): boolean;
  /** The profile for a person of `locale` hearing a script in `language` (one `speaks` accepts). */
  profileFor(locale: string, language: string): string;
  status(): VoicesStatus;
  /** Reads the subaccount's list now; resolves either way. */
  refresh(): Promise<void>;
  close(): void;
}

interface Index {
  readonly source: string;
  readonly byLanguage: ReadonlyMap<string, readonly SpeechProfile[]>;
  readonly locales: number;
}

function indexOf(profiles: readonly SpeechProfile[], source: string): Index {
  const byLanguage = new Map<string, SpeechProfile[]>();
  for (const profile of profiles) {
    const parts = parseLocale(profile.locale);
    const language = parts ? scriptLanguageOf(parts) : undefined;
    if (language === undefined) continue;
    const list = byLanguage.get(language);
    if (list) list.push(profile);
    else byLanguage.set(language, [profile]);
  }
  const locales = new Set([...byLanguage.values()].flat().map((p) => p.locale.toLowerCase())).size;
  return { source, byLanguage, locales };
}

/** The 8x8 speech profiles, read at start-up and every `refreshMs`, with the built-in list meanwhile. */
export function createVoiceCatalogue(options: VoiceCatalogueOptions): VoiceCatalogue {
  let index = indexOf(builtInProfiles, "built-in");
  const status = (): VoicesStatus => ({
    source: index.source,
    languages: index.byLanguage.size,
    locales: index.locales,
  });
  const path = `/api/v1/subaccounts/${encodeURIComponent(options.subaccountId)}/speech-profiles`;

  async function refresh(): Promise<void> {
    try {
      const res = await options.http.getJson(path, { timeoutMs: 5_000 });
      const profiles = res.status === 200 ? parseSpeechProfiles(res.json) : [];
      if (profiles.length === 0) {
        options.onRefresh?.({ ok: false, reason: `HTTP ${res.status} without a list of speech profiles` });
        return;
      }
      index = indexOf(profiles, "8x8");
      options.onRefresh?.({ ok: true, status: status() });
    } catch (err) {
      options.onRefresh?.({ ok: false, reason: (err as Error).message });
    }
  }

  const timer = options.refreshMs > 0 ? setInterval(() => void refresh(), options.refreshMs) : undefined;
  timer?.unref();
  return {
    speaks: (language) => index.byLanguage.has(language),
    profileFor: (locale, language) => choose(index, locale, language, options.gender),
    status,
    refresh,
    close: () => clearInterval(timer),
  };
}

/**
 * The person's own locale if a voice has it ("fr-CA"), else the language's usual one ("fr-FR"),
 * else any of the language; then the configured gender, then neural voices, then by name.
 */
function choose(index: Index, locale: string, language: string, gender?: string): string {
  const candidates = index.byLanguage.get(language) ?? index.byLanguage.get("en") ?? builtInProfiles;
  const parts = parseLocale(locale);
  const own = parts ? canonicalLocale(parts).toLowerCase() : "";
  const usual = (languages[language]?.voiceLocale ?? "").toLowerCase();
  const rank = (p: SpeechProfile) => {
    const at = p.locale.toLowerCase();
    return (
      (at === own ? 0 : at === usual ? 4 : 8) +
      (gender && p.gender?.toLowerCase() !== gender ? 2 : 0) +
      (/neural/i.test(p.code) ? 0 : 1)
    );
  };
  const sorted = [...candidates].sort((a, b) => rank(a) - rank(b) || a.code.localeCompare(b.code));
  return sorted[0]!.code;
}
