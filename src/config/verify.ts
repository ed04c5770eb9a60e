import { randomBytes } from "node:crypto";
import type { z } from "zod";
import { type Deployment, int, limit, secretString } from "./env.js";

export interface VerifyConfig {
  readonly verify: {
    /** The key of the code's HMAC and seal; undefined: VerifyService refuses (live without a key). */
    readonly hashKey?: string;
    /** Made up for this run (sandbox without a key): printed once at start-up. */
    readonly hashKeyGenerated: boolean;
    readonly resendIntervalMs: number;
    readonly maxSends: number;
    readonly maxAttempts: number;
    /** Checks a caller may make per window, over all its verifications. */
    readonly checksPerCaller?: { readonly limit: number; readonly windowMs: number };
    /** Verifications kept in memory (without OTP_STORE_URL). */
    readonly maxRecords: number;
  };
}

export const verifyVariables = {
  VERIFY_HASH_KEY: secretString(32),
  VERIFY_RESEND_INTERVAL_MS: int(30_000, 0, 3_600_000),
  VERIFY_MAX_SENDS: int(5, 1, 20),
  VERIFY_MAX_ATTEMPTS: int(5, 1, 20),
  VERIFY_CHECKS_PER_CALLER: limit("600/1m"),
  VERIFY_MAX_VERIFICATIONS: int(20_000, 100, 10_000_000),
};

type VerifyEnv = z.output<z.ZodObject<typeof verifyVariables>>;

/** VerifyService: its key, and how many sends and checks one verification allows. */
export function readVerify(e: VerifyEnv, deployment: Deployment & { sandbox: boolean }): VerifyConfig {
  const generated = e.VERIFY_HASH_KEY === undefined && deployment.sandbox && deployment.servesService;
  return {
    verify: {
      hashKey: generated ? randomBytes(32).toString("base64url") : e.VERIFY_HASH_KEY,
      hashKeyGenerated: generated,
      resendIntervalMs: e.VERIFY_RESEND_INTERVAL_MS,
      maxSends: e.VERIFY_MAX_SENDS,
      maxAttempts: e.VERIFY_MAX_ATTEMPTS,
      checksPerCaller: e.VERIFY_CHECKS_PER_CALLER,
      maxRecords: e.VERIFY_MAX_VERIFICATIONS,
    },
  };
}
