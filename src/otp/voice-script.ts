/**
 * The spoken script: each character on its own so text-to-speech reads "4, 8, 2" and not
 * "four hundred and eighty-two", and the code twice so a person who picked up late still hears
 * it once in full.
 */
export function voiceScript(code: string): string {
  const spelled = [...code].join(", ");
  return `Your verification code is: ${spelled}. Again, your code is: ${spelled}.`;
}
