import { isRecord } from "./answers.js";

// 8x8's own examples spell the same key several ways ("callA", "CallA", "SourceRefId"), so
// webhook bodies are read with names matched regardless of case.

/** `obj[name]`, or the first key equal to `name` but for case. */
export function field(obj: Record<string, unknown>, name: string): unknown {
  if (name in obj) return obj[name];
  const lower = name.toLowerCase();
  for (const key of Object.keys(obj)) if (key.toLowerCase() === lower) return obj[key];
  return undefined;
}

/** A nested object, or an empty one. */
export function objectField(obj: Record<string, unknown>, name: string): Record<string, unknown> {
  const v = field(obj, name);
  return isRecord(v) ? v : {};
}

/** A non-empty string (numbers as their text), or undefined; at most `max` characters. */
export function textField(obj: Record<string, unknown>, name: string, max = 200): string | undefined {
  const v = field(obj, name);
  if (typeof v === "number" && Number.isFinite(v)) return String(v);
  if (typeof v !== "string") return undefined;
  const trimmed = v.trim();
  return trimmed === "" ? undefined : trimmed.slice(0, max);
}

/** A finite number (or numeric text), or undefined. */
export function numberField(obj: Record<string, unknown>, name: string): number | undefined {
  const v = field(obj, name);
  const n = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : Number.NaN;
  return Number.isFinite(n) ? n : undefined;
}

/** A timestamp 8x8 sent (ISO 8601, or epoch milliseconds), as epoch milliseconds. */
export function timeField(obj: Record<string, unknown>, name: string): number | undefined {
  const v = field(obj, name);
  const t = typeof v === "number" ? v : typeof v === "string" ? Date.parse(v) : Number.NaN;
  return Number.isFinite(t) && t > 0 ? t : undefined;
}

/** The envelope of every 8x8 webhook: `{namespace, eventType, payload}`. */
export function envelope(body: unknown): { eventType: string; payload: Record<string, unknown> } | undefined {
  if (!isRecord(body)) return undefined;
  const payload = field(body, "payload");
  return { eventType: textField(body, "eventType") ?? "", payload: isRecord(payload) ? payload : {} };
}
