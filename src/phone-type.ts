import { type CountryCode, Metadata, type NumberType } from "libphonenumber-js/max";

/**
 * A number's line type, as libphonenumber-js's `PhoneNumber.getType()` gives it, from patterns
 * compiled once per numbering plan. `getType()` builds a new RegExp for every pattern it tries,
 * up to eleven a number, which made it a tenth of a send's CPU time at saturation
 * (bench/README.md). The rules below are getType()'s, step for step; test/phone-type.test.ts
 * checks that both agree on numbers of every length in every plan, so an upgrade of the
 * library that changes them fails there rather than here.
 */
export function lineType(nationalNumber: string, plan: CountryCode | string): NumberType {
  const compiled = plans.get(plan) ?? compilePlan(plan);
  if (!compiled.national.test(nationalNumber)) return undefined;
  if (matches(compiled.fixedLine, nationalNumber)) {
    // Metadata drops a mobile pattern equal to the fixed-line one, leaving it empty or absent.
    if (compiled.mobile === undefined || compiled.mobile.source === "") return "FIXED_LINE_OR_MOBILE";
    return matches(compiled.mobile, nationalNumber) ? "FIXED_LINE_OR_MOBILE" : "FIXED_LINE";
  }
  for (const type of compiled.others) if (matches(type, nationalNumber)) return type.name;
  return undefined;
}

/** The order getType() tries the types in after FIXED_LINE. */
const otherTypes = [
  "MOBILE",
  "PREMIUM_RATE",
  "TOLL_FREE",
  "SHARED_COST",
  "VOIP",
  "PERSONAL_NUMBER",
  "PAGER",
  "UAN",
  "VOICEMAIL",
] as const;

// What getType() reads from a numbering plan: libphonenumber-js's own objects, not in its types.
interface PlanTypeData {
  pattern(): string;
  possibleLengths(): number[] | undefined;
}
interface PlanData {
  nationalNumberPattern(): string;
  type(name: string): PlanTypeData | undefined;
}

interface CompiledType {
  readonly name: NonNullable<NumberType>;
  /** The pattern's text: "" when metadata dropped it as a duplicate. */
  readonly source: string;
  readonly pattern: RegExp;
  readonly lengths: readonly number[] | undefined;
}

interface CompiledPlan {
  readonly national: RegExp;
  readonly fixedLine: CompiledType | undefined;
  readonly mobile: CompiledType | undefined;
  readonly others: readonly CompiledType[];
}

// One entry per numbering plan the metadata has (about 250 regions and a few non-geographic
// calling codes) and never more: keys are regions and calling codes that parsing found in it.
const plans = new Map<string, CompiledPlan>();
const metadata = new Metadata();
const whole = (pattern: string) => new RegExp(`^(?:${pattern})$`);

function compilePlan(plan: string): CompiledPlan {
  // A region, or a calling code for a non-geographic number: selectNumberingPlan takes either.
  metadata.selectNumberingPlan(plan as CountryCode);
  const data = metadata.numberingPlan as unknown as PlanData;
  const typeOf = (name: NonNullable<NumberType>): CompiledType | undefined => {
    const type = data.type(name);
    if (!type) return undefined;
    const source = type.pattern() ?? "";
    return { name, source, pattern: whole(source), lengths: type.possibleLengths() };
  };
  const compiled: CompiledPlan = {
    national: whole(data.nationalNumberPattern()),
    fixedLine: typeOf("FIXED_LINE"),
    mobile: typeOf("MOBILE"),
    others: otherTypes.map(typeOf).filter((t): t is CompiledType => t !== undefined),
  };
  plans.set(plan, compiled);
  return compiled;
}

function matches(type: CompiledType | undefined, nationalNumber: string): boolean {
  if (type === undefined || type.source === "") return false;
  // A type that lists its lengths matches no number of another length.
  if (type.lengths && !type.lengths.includes(nationalNumber.length)) return false;
  return type.pattern.test(nationalNumber);
}
