import { z } from "zod";
import { blankToUndefined, type Deployment, flag, int, secretString } from "./env.js";

export interface ConversionConfig {
  readonly conversions: {
    /** Okta's event hook: the header it sends its secret in, and the secret; undefined: off (404). */
    readonly eventHook?: { readonly header: string; readonly secret: string };
    /** A send of the hook not reported used this long after acceptance is not converted. */
    readonly windowMs: number;
    /** Whether conversions are told to 8x8 (SMS sent with track "Outcome", then its Feedback API). */
    readonly feedback: boolean;
  };
}

export const conversionVariables = {
  OKTA_EVENT_HOOK_HEADER: z.preprocess(
    blankToUndefined,
    z
      .string()
      .regex(/^[A-Za-z0-9-]{1,64}$/, "must be an HTTP header name")
      .transform((h) => h.toLowerCase())
      .default("authorization"),
  ),
  OKTA_EVENT_HOOK_SECRET: secretString(16),
  CONVERSION_WINDOW_MS: int(10 * 60_000, 60_000, 24 * 3_600_000),
  EIGHTBYEIGHT_FEEDBACK: flag(false),
};

type ConversionEnv = z.output<z.ZodObject<typeof conversionVariables>>;

/** Whether codes were used: Okta's event hook, the window, and 8x8's Feedback API. */
export function readConversion(e: ConversionEnv, deployment: Deployment): ConversionConfig {
  const secret = e.OKTA_EVENT_HOOK_SECRET;
  return {
    conversions: {
      eventHook: secret && deployment.servesService ? { header: e.OKTA_EVENT_HOOK_HEADER, secret } : undefined,
      windowMs: e.CONVERSION_WINDOW_MS,
      feedback: e.EIGHTBYEIGHT_FEEDBACK,
    },
  };
}
