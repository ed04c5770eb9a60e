// A secret that anyone can read in a repository or guess is not a secret. These checks catch the
// template values people forget to replace and the short or patterned ones people type.

const placeholderWords = /replace|change|example|secret|placeholder|dummy|sample|xxxx|todo|your[-_ ]?(key|token)/i;

/** How to make a real one, said with every refusal. */
export const makeOne = "make a real one with `openssl rand -base64 32`";

/** Why `value` would be a poor secret, or undefined. `entropy: false` for keys a vendor issues. */
export function weakSecret(value: string, options: { readonly entropy: boolean }): string | undefined {
  const word = placeholderWords.exec(value)?.[0];
  if (word) return `looks like a placeholder (it contains "${word}")`;
  if (/(.)\1{3,}/.test(value)) return "repeats one character four or more times in a row";
  if (!options.entropy) return undefined;
  const bits = estimatedBits(value);
  if (bits < 80) return `is too easy to guess (about ${Math.floor(bits)} bits; at least 80 are needed)`;
  return undefined;
}

/**
 * An upper bound on the secret's entropy: its length times the bits of the alphabet its
 * character classes span. Generous to real random tokens (32 hex digits: 128 bits), while short
 * or single-class strings fall short.
 */
function estimatedBits(value: string): number {
  let pool = 0;
  if (/[a-z]/.test(value)) pool += 26;
  if (/[A-Z]/.test(value)) pool += 26;
  if (/[0-9]/.test(value)) pool += 10;
  if (/[^a-zA-Z0-9]/.test(value)) pool += 33;
  const distinct = new Set(value).size;
  // A long string of few distinct characters ("abababab…") is not as strong as its length says.
  return Math.min(value.length * Math.log2(Math.max(pool, 2)), distinct * 8);
}
