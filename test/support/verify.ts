/** The VERIFY_HASH_KEY of the tests' gateways (every replica must share it). */
export const verifyHashKey = "vk-3Jq9Xw2Lm8Rt5Zp1Cv7Bn4Hd6Fs0Ka";

/** The code a Verify send carried: the digits of the SMS text, or of the call's script (read twice). */
export function codeSentIn(body: unknown): string {
  const b = body as { text?: string; callflow?: Array<{ action: string; params?: { text?: string } }> };
  const text = b.text ?? b.callflow?.find((a) => a.action === "say")?.params?.text ?? "";
  const digits = text.replace(/\D/g, "");
  // A call says the code twice.
  return b.text === undefined ? digits.slice(0, digits.length / 2) : digits;
}
