import { z } from "zod";

// Parsers shared by every part of the configuration. A blank variable counts as unset, so
// `FOO=` in an env file means "use the default", as operators expect.

export const blankToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);

export const optionalString = z.preprocess(blankToUndefined, z.string().trim().optional());

export const port = (fallback: number) =>
  z.preprocess(blankToUndefined, z.coerce.number().int().min(0).max(65535).default(fallback));

export const int = (fallback: number, min: number, max: number) =>
  z.preprocess(blankToUndefined, z.coerce.number().int().min(min).max(max).default(fallback));

export const choice = <const T extends readonly [string, ...string[]]>(values: T, fallback: T[number]) =>
  z.preprocess(blankToUndefined, z.enum(values).default(fallback));

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
