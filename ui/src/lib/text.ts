// Splitting chat text into plain segments and link-looking segments, so that
// links can be *shown* as links without ever being clickable or loaded. The
// result is rendered with `{segment.text}` (text nodes), never as HTML.

export type TextSegment = { text: string; link: boolean };

const LINK = /\b(?:https?:\/\/|www\.)[^\s<>"']+/gi;
const TRAILING = /[),.;:!?\]]+$/;

export function splitLinks(text: string): TextSegment[] {
  const out: TextSegment[] = [];
  let last = 0;
  for (const m of text.matchAll(LINK)) {
    const start = m.index ?? 0;
    let url = m[0];
    const trail = url.match(TRAILING);
    if (trail) url = url.slice(0, url.length - trail[0].length);
    if (!url) continue;
    if (start > last) out.push({ text: text.slice(last, start), link: false });
    out.push({ text: url, link: true });
    last = start + url.length;
  }
  if (last < text.length) out.push({ text: text.slice(last), link: false });
  return out;
}

/** Deterministic 0..n-1 bucket for a name (sender colours). */
export function nameBucket(name: string, n: number): number {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return (h >>> 0) % n;
}

/** The first non-blank line of `text`, cut to `max` Unicode characters (with "…"); "" if none. */
export function firstLine(text: string, max = 160): string {
  const line = text.split(/\r?\n/).find((l) => l.trim() !== "")?.trim() ?? "";
  if (line.length <= max) return line;
  const chars = Array.from(line);
  return chars.length <= max ? line : `${chars.slice(0, max - 1).join("")}…`;
}

export type ReactionGroup = { emoji: string; by: string[] };

/** Reactions grouped by emoji, in the order each emoji first appears, with who reacted in order. */
export function groupReactions(reactions: ReadonlyArray<{ emoji: string; by: string }>): ReactionGroup[] {
  const groups = new Map<string, string[]>();
  for (const r of reactions) {
    const by = groups.get(r.emoji);
    if (by) by.push(r.by);
    else groups.set(r.emoji, [r.by]);
  }
  return Array.from(groups, ([emoji, by]) => ({ emoji, by }));
}
