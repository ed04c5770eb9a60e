import { describe, expect, it } from "vitest";
import { createNamedSecretMatcher, createSecretMatcher } from "../src/auth/secrets.js";

describe("secret checks (auth/secrets.ts)", () => {
  const secret = "hook-secret-Qw7Lp2Xv9Rk4";
  const matches = createSecretMatcher(secret);

  it("accepts exactly the secret and nothing near it", () => {
    expect(matches(secret)).toBe(true);
    expect(matches(`${secret}x`)).toBe(false);
    expect(matches(`${secret}${secret}`)).toBe(false);
    expect(matches(secret.slice(0, -1))).toBe(false);
    expect(matches(`${secret.slice(0, -1)}5`)).toBe(false);
    expect(matches("")).toBe(false);
    expect(matches(undefined)).toBe(false);
    expect(matches([secret])).toBe(false);
  });

  it("keeps nothing of an earlier check: a prefix after the secret itself is still refused", () => {
    expect(matches(secret)).toBe(true);
    expect(matches(secret.slice(0, 10))).toBe(false);
    expect(matches(secret)).toBe(true);
  });

  it("compares UTF-8 bytes: a secret with non-ASCII characters, and a value of the same length in characters", () => {
    const accented = createSecretMatcher("clé-secrète-ü");
    expect(accented("clé-secrète-ü")).toBe(true);
    expect(accented("cle-secrete-u")).toBe(false);
    expect(accented("clé-secrète-ü\u0000")).toBe(false);
  });

  it("names which of several secrets was presented, or none", () => {
    const which = createNamedSecretMatcher(
      new Map([
        ["billing", "key-billing-0123456789"],
        ["hr", "key-hr-abcdefghij"],
      ]),
    );
    expect(which("key-hr-abcdefghij")).toBe("hr");
    expect(which("key-billing-0123456789")).toBe("billing");
    expect(which("key-hr-abcdefghi")).toBeUndefined();
    expect(which("key-billing-0123456789key-hr-abcdefghij")).toBeUndefined();
  });
});
