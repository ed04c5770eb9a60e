import { Metadata, parsePhoneNumberFromString } from "libphonenumber-js/max";

const N = 200000;
const nums = Array.from({ length: N }, (_, i) => `+44${7_400_000_000 + i * 37}`);
const cache = new Map();
const re = (p) => {
  let r = cache.get(p);
  if (!r) {
    r = new RegExp(`^(?:${p})$`);
    cache.set(p, r);
  }
  return r;
};
const meta = new Metadata();
const TYPES = [
  "MOBILE",
  "PREMIUM_RATE",
  "TOLL_FREE",
  "SHARED_COST",
  "VOIP",
  "PERSONAL_NUMBER",
  "PAGER",
  "UAN",
  "VOICEMAIL",
];
function isType(nn, type, m) {
  const t = m.type(type);
  if (!t || !t.pattern()) return false;
  const pl = t.possibleLengths();
  if (pl && pl.indexOf(nn.length) < 0) return false;
  return re(t.pattern()).test(nn);
}
function typeOf(parsed) {
  meta.selectNumberingPlan(parsed.country || parsed.countryCallingCode);
  const nn = parsed.nationalNumber;
  if (!re(meta.nationalNumberPattern()).test(nn)) return undefined;
  if (isType(nn, "FIXED_LINE", meta)) {
    const mob = meta.type("MOBILE");
    if (!mob || mob.pattern() === "" || isType(nn, "MOBILE", meta)) return "FIXED_LINE_OR_MOBILE";
    return "FIXED_LINE";
  }
  for (const t of TYPES) if (isType(nn, t, meta)) return t;
}
for (const round of [1, 2, 3]) {
  const t0 = performance.now();
  let a = 0;
  for (const n of nums) {
    const p = parsePhoneNumberFromString(n, { extract: false });
    if (p.getType()) a++;
  }
  const t1 = performance.now();
  let b = 0;
  for (const n of nums) {
    const p = parsePhoneNumberFromString(n, { extract: false });
    if (typeOf(p)) b++;
  }
  const t2 = performance.now();
  let c = 0;
  for (const n of nums) {
    const p = parsePhoneNumberFromString(n, { extract: false });
    if (p.country) c++;
  }
  const t3 = performance.now();
  console.log(
    round,
    "getType",
    (((t1 - t0) * 1000) / N).toFixed(2),
    "µs; cached",
    (((t2 - t1) * 1000) / N).toFixed(2),
    "µs; parse only",
    (((t3 - t2) * 1000) / N).toFixed(2),
    a,
    b,
    c,
  );
}
