import { defaultLanguage, languages } from "../i18n/locale.js";

/**
 * The spoken script in `language` (a key of i18n/languages.ts): each character on its own, with
 * the language's pause between them, so text-to-speech reads "4, 8, 2" and not "four hundred
 * and eighty-two", and the code twice so a person who picked up late still hears it in full.
 */
export function voiceScript(code: string, language: string = defaultLanguage): string {
  const { voice } = languages[language] ?? languages[defaultLanguage]!;
  const digits = [...code].join(voice.pause);
  return `${voice.first.replace("{digits}", digits)} ${voice.repeat.replace("{digits}", digits)}`;
}
