import { type ParseArgsConfig, parseArgs } from "node:util";

/** A usage mistake: the command prints its usage and exits 2. */
export class UsageError extends Error {}

type Options = NonNullable<ParseArgsConfig["options"]>;

/** Reads a command's flags with node:util's parser; unknown flags and bad values are UsageErrors. */
type Parsed = { values: Record<string, string | boolean | undefined>; positionals: string[] };

export function readArgs<O extends Options>(argv: string[], options: O, positionals = 0): Parsed {
  let parsed: Parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: { ...options, json: { type: "boolean" }, help: { type: "boolean" } },
      allowPositionals: positionals > 0,
      strict: true,
    }) as Parsed;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (parsed.positionals.length > positionals)
    throw new UsageError(`unexpected argument ${parsed.positionals[positionals]}`);
  return parsed;
}

/** A flag that must be given, as text. */
export function required(values: Record<string, string | boolean | undefined>, name: string): string {
  const value = values[name];
  if (typeof value !== "string" || value === "") throw new UsageError(`--${name} is required`);
  return value;
}

/** One of a few words, or a UsageError naming them. */
export function oneOf<const T extends string>(value: string, allowed: readonly T[], name: string): T {
  if (!(allowed as readonly string[]).includes(value))
    throw new UsageError(`--${name} must be one of ${allowed.join(", ")}`);
  return value as T;
}

/** Prints `result` as JSON with --json, or as its human lines. */
export function output(json: boolean, result: object, lines: readonly string[]): void {
  process.stdout.write(json ? `${JSON.stringify(result)}\n` : `${lines.join("\n")}\n`);
}
