// Splitting a search snippet into plain and highlighted parts. The core gives
// highlight ranges as [start, end) offsets in Unicode characters (code points,
// Rust `char`s), not in UTF-16 code units, so the text is indexed through
// `Array.from`, which iterates by code point: an emoji counts as one.
//
// The parts are rendered as text nodes (`{part.text}`), the marked ones inside a
// <mark> element the component creates; never as HTML.

export type HighlightPart = { text: string; mark: boolean };

/** Ranges clamped to the text, sorted, and merged where they overlap or touch. */
export function normaliseRanges(
  length: number,
  ranges: ReadonlyArray<readonly [number, number]>,
): Array<[number, number]> {
  const clean: Array<[number, number]> = [];
  for (const r of ranges) {
    if (!Array.isArray(r) || r.length < 2) continue;
    const a = Math.max(0, Math.min(length, Math.floor(Number(r[0]))));
    const b = Math.max(0, Math.min(length, Math.floor(Number(r[1]))));
    // NaN fails this comparison too.
    if (b > a) clean.push([a, b]);
  }
  clean.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  const merged: Array<[number, number]> = [];
  for (const [a, b] of clean) {
    const last = merged[merged.length - 1];
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else merged.push([a, b]);
  }
  return merged;
}

/** `text` cut at the highlight ranges (offsets in Unicode characters). */
export function splitHighlights(text: string, ranges: ReadonlyArray<readonly [number, number]>): HighlightPart[] {
  const chars = Array.from(text);
  const parts: HighlightPart[] = [];
  let at = 0;
  for (const [a, b] of normaliseRanges(chars.length, ranges)) {
    if (a > at) parts.push({ text: chars.slice(at, a).join(""), mark: false });
    parts.push({ text: chars.slice(a, b).join(""), mark: true });
    at = b;
  }
  if (at < chars.length || parts.length === 0) parts.push({ text: chars.slice(at).join(""), mark: false });
  return parts;
}
