import { z } from "zod";
import { blankToUndefined, choice, int, list } from "./env.js";

export interface FraudConfig {
  readonly fraud: {
    /** `enforce` refuses what the anti-pumping rules refuse; `monitor` logs and counts it only. */
    readonly mode: "enforce" | "monitor";
    /** The conversion guard, or undefined when it is off. */
    readonly guard?: { readonly sample: number; readonly minConversion: number; readonly cooldownMs: number };
    /** Numbers (E.164, `*` at the end for a range) and Okta user ids that skip every limit and rule. */
    readonly safeNumbers: readonly string[];
    readonly safeUserIds: ReadonlySet<string>;
  };
}

const safeNumbers = list((items, ctx) => {
  for (const item of items ?? []) {
    if (!/^\+[1-9]\d{0,14}\*?$/.test(item) || (!item.endsWith("*") && item.length < 8)) {
      ctx.addIssue({ code: "custom", message: `${item} is not an E.164 number or a range ending in * (+4420794600*)` });
    }
  }
  return items ?? [];
});

export const fraudVariables = {
  FRAUD_RULES_MODE: choice(["enforce", "monitor"], "enforce"),
  FRAUD_CONVERSION_SAMPLE: int(50, 5, 10_000),
  // A share (0.2), or off.
  FRAUD_MIN_CONVERSION: z.preprocess(
    blankToUndefined,
    z
      .string()
      .default("0.2")
      .transform((v, ctx) => {
        if (v.trim().toLowerCase() === "off") return undefined;
        const share = Number(v);
        if (!(share > 0 && share < 1))
          ctx.addIssue({ code: "custom", message: "must be a share between 0 and 1 (0.2), or off" });
        return share;
      }),
  ),
  FRAUD_COOLDOWN_MS: int(15 * 60_000, 60_000, 24 * 3_600_000),
  SAFE_NUMBERS: safeNumbers,
  SAFE_USER_IDS: list((items) => new Set(items ?? [])),
};

type FraudEnv = z.output<z.ZodObject<typeof fraudVariables>>;

/** The anti-pumping rules' mode, the conversion guard, and who is never limited. */
export function readFraud(e: FraudEnv): FraudConfig {
  return {
    fraud: {
      mode: e.FRAUD_RULES_MODE,
      guard:
        e.FRAUD_MIN_CONVERSION === undefined
          ? undefined
          : {
              sample: e.FRAUD_CONVERSION_SAMPLE,
              minConversion: e.FRAUD_MIN_CONVERSION,
              cooldownMs: e.FRAUD_COOLDOWN_MS,
            },
      safeNumbers: e.SAFE_NUMBERS,
      safeUserIds: e.SAFE_USER_IDS,
    },
  };
}
