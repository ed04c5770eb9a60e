import { z } from "zod";
import { parseLimit } from "../policy/limits.js";

// Parsers shared by every part of the configuration. A blank variable counts as unset, so
// `FOO=` in an env file means "use the default", as operators expect.

export const blankToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);

export const optionalString = z.preprocess(blankToUndefined, z.string().trim().optional());

/** A whole number in [min, max], every failure said in one sentence of ours. */
export const wholeNumber = (min: number, max: number, error: string) =>
  z.coerce.number({ error }).int({ error }).min(min, { error }).max(max, { error });

export const port = (fallback: number) =>
  z.preprocess(
    blankToUndefined,
    wholeNumber(0, 65535, "must be a port number (1–65535, or 0 for any free port)").default(fallback),
  );

export const int = (fallback: number, min: number, max: number) =>
  z.preprocess(
    blankToUndefined,
    wholeNumber(min, max, `must be a whole number from ${min} to ${max}`).default(fallback),
  );

/** One of a few words, in any case (`LOG_LEVEL=INFO`). */
export const choice = <const T extends readonly [string, ...string[]]>(values: T, fallback: T[number]) =>
  z.preprocess(lowerCase, z.enum(values, { error: `must be one of ${values.join(", ")}` }).default(fallback));

/** `true`/`false` (also `1`/`0`, `yes`/`no`, `on`/`off`), in any case. */
export const flag = (fallback: boolean) =>
  z.preprocess(
    lowerCase,
    z
      .enum(["true", "false", "1", "0", "yes", "no", "on", "off"], { error: "must be true or false" })
      .default(fallback ? "true" : "false")
      .transform((v) => v === "true" || v === "1" || v === "yes" || v === "on"),
  );

export const optionalChoice = <const T extends readonly [string, ...string[]]>(values: T) =>
  z.preprocess(lowerCase, z.enum(values, { error: `must be one of ${values.join(", ")}` }).optional());

const lowerCase = (v: unknown) => {
  const blank = blankToUndefined(v);
  return typeof blank === "string" ? blank.trim().toLowerCase() : blank;
};

export const optionalUrl = (protocol: RegExp, error?: string) =>
  z.preprocess(blankToUndefined, z.url({ protocol, error }).optional());

export const httpUrl = (fallback: string) =>
  z.preprocess(
    blankToUndefined,
    z
      .url({ protocol: /^https?$/, error: "must be an http(s) URL" })
      .default(fallback)
      .transform((u) => u.replace(/\/+$/, "")),
  );

/** A comma-separated list, trimmed, blanks dropped: undefined when the variable is unset. */
export const list = <T>(read: (items: string[] | undefined, ctx: z.RefinementCtx) => T) =>
  z.preprocess(
    blankToUndefined,
    z
      .string()
      .optional()
      .transform((v, ctx) => read(v === undefined ? undefined : splitList(v), ctx)),
  );

const splitList = (v: string) =>
  v
    .split(",")
    .map((i) => i.trim())
    .filter((i) => i !== "");

export const secretString = (min: number) =>
  z.preprocess(blankToUndefined, z.string().min(min, `must be at least ${min} characters`).optional());

/** Facts about the whole deployment that several parts of the configuration depend on. */
export interface Deployment {
  readonly production: boolean;
  readonly servesService: boolean;
  readonly servesHook: boolean;
}

/** A rate ("5/10m", "600/1m") or "off", read by parseLimit; undefined when off. */
export const limit = (fallback: string) =>
  z.preprocess(
    blankToUndefined,
    z
      .string()
      .default(fallback)
      .transform((v, ctx) => {
        try {
          return parseLimit(v);
        } catch (err) {
          ctx.addIssue({ code: "custom", message: (err as Error).message });
          return undefined;
        }
      }),
  );
