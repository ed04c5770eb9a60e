import { defaultLanguage, languages } from "./languages.js";

export { defaultLanguage, type Language, languages } from "./languages.js";

/** A locale as callers send it ("FR-ca", "pt_BR", "zh-Hant-TW"), in its parts. */
export interface LocaleParts {
  /** "fr" */
  readonly language: string;
  /** "Hant", when given. */
  readonly script?: string;
  /** "CA", when given. */
  readonly region?: string;
}

/** Reads a locale loosely: any case, "_" or "-", an optional script; undefined when empty or malformed. */
export function parseLocale(locale: string): LocaleParts | undefined {
  const parts = locale.trim().replace(/_/g, "-").split("-");
  const language = parts[0]?.toLowerCase() ?? "";
  if (!/^[a-z]{2,3}$/.test(language)) return undefined;
  let script: string | undefined;
  let region: string | undefined;
  for (const part of parts.slice(1)) {
    if (/^[A-Za-z]{4}$/.test(part) && script === undefined && region === undefined)
      script = part[0]!.toUpperCase() + part.slice(1).toLowerCase();
    else if (/^([A-Za-z]{2}|\d{3})$/.test(part) && region === undefined) region = part.toUpperCase();
  }
  return { language, script, region };
}

/** "fr-CA" for "FR_ca": language and region, as 8x8 spells its speech profiles' locales. */
export function canonicalLocale(parts: LocaleParts): string {
  return parts.region ? `${parts.language}-${parts.region}` : parts.language;
}

// Old or alternative codes for languages we speak.
const aliases: Readonly<Record<string, string>> = { iw: "he", in: "id", no: "nb", nn: "nb" };
const traditionalChinese = new Set(["TW", "HK", "MO"]);

/** The language of `languages` written for a locale ("zh-Hant" → zh-TW), or undefined. */
export function scriptLanguageOf(parts: LocaleParts): string | undefined {
  const language = aliases[parts.language] ?? parts.language;
  if (language === "zh") {
    const traditional =
      parts.script === "Hant" || (parts.script === undefined && traditionalChinese.has(parts.region ?? ""));
    return traditional ? "zh-TW" : "zh-CN";
  }
  if (language === "pt") return parts.region === "PT" ? "pt-PT" : "pt-BR";
  return languages[language] ? language : undefined;
}

// A person who reads one of these is better served by the other than by English.
const siblings: Readonly<Record<string, string>> = {
  "zh-CN": "zh-TW",
  "zh-TW": "zh-CN",
  "pt-BR": "pt-PT",
  "pt-PT": "pt-BR",
};

/**
 * The languages of `languages` to try for a locale, best first, always ending with English:
 * "fr-CA" → fr, en; "zh-Hant" → zh-TW, zh-CN, en; "pt" → pt-BR, pt-PT, en; "xx-YY" → en.
 */
export function languageChain(locale: string): string[] {
  const parts = parseLocale(locale);
  const first = parts ? scriptLanguageOf(parts) : undefined;
  const chain = first ? [first] : [];
  const sibling = first ? siblings[first] : undefined;
  if (sibling) chain.push(sibling);
  if (!chain.includes(defaultLanguage)) chain.push(defaultLanguage);
  return chain;
}

/**
 * The language to speak to a person of `locale` with voices that read `speaks`: the first of the
 * locale's chain spoken; else the first language spoken at all (one configured voice reads its
 * own language); English when nothing says otherwise.
 */
export function spokenLanguage(locale: string, speaks: (language: string) => boolean): string {
  return languageChain(locale).find(speaks) ?? Object.keys(languages).find(speaks) ?? defaultLanguage;
}
