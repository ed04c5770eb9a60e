import { defaultLanguage, languageChain, languages } from "../i18n/locale.js";

/**
 * The template for a person of `locale` when the caller sends no text: the operator's for the
 * first language of the locale's chain that has one (OTP_SMS_TEMPLATES), else the built-in one;
 * English is the operator's OTP_SMS_TEMPLATE unless OTP_SMS_TEMPLATES names "en" itself.
 */
export function smsTemplateFor(
  locale: string,
  fallback: string,
  overrides: Readonly<Record<string, string>> = {},
): { readonly template: string; readonly language: string } {
  for (const language of languageChain(locale)) {
    const template = overrides[language] ?? (language === defaultLanguage ? fallback : languages[language]?.sms);
    if (template !== undefined) return { template, language };
  }
  return { template: fallback, language: defaultLanguage };
}

/**
 * The SMS body: the caller's text when it carries the code (Okta's msgTemplate arrives already
 * rendered), otherwise the gateway's template. Placeholders `{code}` and `${code}` in the
 * caller's text are filled in, in case an unrendered template ever arrives.
 * Returns undefined when the caller's text would not tell the person their code.
 */
export function smsText(code: string, text: string | undefined, template: string): string | undefined {
  if (text === undefined || text.trim() === "") return template.replaceAll("{code}", code);
  // biome-ignore lint/suspicious/noTemplateCurlyInString: "${code}" is a placeholder callers may send literally
  const filled = text.replaceAll("${code}", code).replaceAll("{code}", code);
  return filled.includes(code) ? filled : undefined;
}
