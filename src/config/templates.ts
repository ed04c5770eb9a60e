import { readFileSync } from "node:fs";
import { z } from "zod";
import { languages, parseLocale, scriptLanguageOf } from "../i18n/locale.js";
import { blankToUndefined } from "./env.js";

export interface TemplatesConfig {
  /** The operator's SMS templates by language (a key of i18n/languages.ts), over the built-in ones. */
  readonly smsTemplates: Readonly<Record<string, string>>;
}

export const templateVariables = {
  OTP_SMS_TEMPLATES: z.preprocess(blankToUndefined, z.string().optional()),
  OTP_SMS_TEMPLATES_FILE: z.preprocess(blankToUndefined, z.string().optional()),
};

type TemplatesEnv = z.output<z.ZodObject<typeof templateVariables>>;

/** SMS templates per language, from OTP_SMS_TEMPLATES (JSON) or the file OTP_SMS_TEMPLATES_FILE names. */
export function readTemplates(e: TemplatesEnv, problems: string[]): TemplatesConfig {
  if (e.OTP_SMS_TEMPLATES !== undefined && e.OTP_SMS_TEMPLATES_FILE !== undefined) {
    problems.push("OTP_SMS_TEMPLATES and OTP_SMS_TEMPLATES_FILE: set one of them, not both");
    return { smsTemplates: {} };
  }
  const source = e.OTP_SMS_TEMPLATES_FILE !== undefined ? "OTP_SMS_TEMPLATES_FILE" : "OTP_SMS_TEMPLATES";
  let text = e.OTP_SMS_TEMPLATES;
  if (e.OTP_SMS_TEMPLATES_FILE !== undefined) {
    try {
      text = readFileSync(e.OTP_SMS_TEMPLATES_FILE, "utf8");
    } catch (err) {
      problems.push(`OTP_SMS_TEMPLATES_FILE: cannot be read (${(err as NodeJS.ErrnoException).code ?? "error"})`);
      return { smsTemplates: {} };
    }
  }
  if (text === undefined) return { smsTemplates: {} };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    problems.push(`${source}: must be a JSON object such as {"fr": "Votre code est {code}"}`);
    return { smsTemplates: {} };
  }
  return { smsTemplates: checkTemplates(parsed, source, problems) };
}

function checkTemplates(parsed: unknown, source: string, problems: string[]): Record<string, string> {
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    problems.push(`${source}: must be a JSON object of locale → template`);
    return {};
  }
  const templates: Record<string, string> = {};
  for (const [locale, template] of Object.entries(parsed)) {
    const parts = parseLocale(locale);
    const language = parts ? scriptLanguageOf(parts) : undefined;
    if (language === undefined) {
      problems.push(`${source}: "${locale}" is not one of the languages: ${Object.keys(languages).join(", ")}`);
    } else if (typeof template !== "string" || template.split("{code}").length !== 2) {
      problems.push(`${source}: the "${locale}" template must be text with {code} exactly once`);
    } else if (template.length > 1000) {
      problems.push(`${source}: the "${locale}" template must be at most 1000 characters`);
    } else templates[language] = template;
  }
  return templates;
}
