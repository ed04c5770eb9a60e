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
