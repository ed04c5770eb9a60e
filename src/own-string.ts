/**
 * `text` as a string of its own: one sequential copy, holding on to nothing else. V8 gives
 * pieces of a larger string (JSON.parse values, slices) as views that keep the whole source
 * alive, and concatenations (JSON.stringify, `+`) as ropes of their parts; a value kept for
 * minutes (a store's key or record) that came from a request would hold the request's whole
 * body. A round trip through UTF-8 costs well under a microsecond for short text and is
 * lossless for well-formed text; a string with a lone surrogate is kept as it is.
 */
export function ownString(text: string): string {
  return text.length === 0 || !text.isWellFormed() ? text : Buffer.from(text, "utf8").toString("utf8");
}
