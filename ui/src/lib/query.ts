// Building query text for the search box: facet clicks become filters
// (`app:whatsapp`, `in:"Northgate depot"`, `from:"Priya Shah"`, `tag:business`,
// `date:2024-03`), added to or removed from the query the results are for.
// Also: where a query error points, and the query language's help.
//
// This follows the core's lexer (src/index/query.rs): words break at whitespace,
// parentheses and quotes; a filter's value may be quoted (`from:"Priya Shah"`);
// a quote cannot be escaped; OR binds looser than the implicit AND.

export type FacetKind = "app" | "conversation" | "sender" | "month" | "tag";

const FILTERS = ["from", "in", "app", "tag", "kind", "has", "before", "after", "on", "date"];

/**
 * A filter value as query text: quoted when it has spaces or parentheses. A value
 * cannot contain a quote, so quotes become spaces (names match word by word, so
 * `Dan "Chips" Lee` still finds Dan "Chips" Lee).
 */
export function quoteValue(value: string): string {
  const v = value.replace(/"/g, " ").replace(/\s+/g, " ").trim();
  return v === "" || /[\s()]/.test(v) ? `"${v}"` : v;
}

/** The filter a facet value stands for; null if the value cannot be written as one. */
export function facetClause(kind: FacetKind, value: string, conversationId?: string | null): string | null {
  switch (kind) {
    case "app":
      return value.trim() ? `app:${quoteValue(value.toLowerCase())}` : null;
    case "conversation":
      // Two conversations with the same title come back as "Title #12"; the id says which.
      if (conversationId && /^\d+$/.test(conversationId)) return `in:${conversationId}`;
      return value.trim() ? `in:${quoteValue(value)}` : null;
    case "sender":
      return value.trim() ? `from:${quoteValue(value)}` : null;
    case "tag":
      return value.trim() ? `tag:${quoteValue(value)}` : null;
    case "month":
      return /^\d{4}-\d{2}$/.test(value) ? `date:${value}` : null;
  }
}

/**
 * The filter for a facet value as the core labels it. When two conversations (or
 * people) share a name, the core labels them "Title #12"; a conversation is then
 * picked by its id (`in:12`), a person by the name alone. `known` holds the real
 * titles and names seen in the hits, so that a title that really ends in "#2" is
 * left alone.
 */
export function facetFilter(kind: FacetKind, key: string, known: ReadonlySet<string> = new Set()): string | null {
  const dup = /^(.+) #(\d+)$/.exec(key);
  if (dup && !known.has(key)) {
    if (kind === "conversation") return facetClause(kind, dup[1], dup[2]);
    if (kind === "sender") return facetClause(kind, dup[1]);
  }
  return facetClause(kind, key);
}

type Token = { text: string; start: number; end: number; depth: number };

/** Top-level pieces of a query (positions in UTF-16 units, for slicing). */
function tokens(q: string): Token[] {
  const out: Token[] = [];
  let depth = 0;
  let i = 0;
  const isBreak = (c: string) => /\s/.test(c) || c === "(" || c === ")" || c === '"';
  while (i < q.length) {
    const c = q[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === "(") {
      out.push({ text: c, start: i, end: i + 1, depth });
      depth++;
      i++;
    } else if (c === ")") {
      depth = Math.max(0, depth - 1);
      out.push({ text: c, start: i, end: i + 1, depth });
      i++;
    } else if (c === '"') {
      const close = q.indexOf('"', i + 1);
      const end = close < 0 ? q.length : close + 1;
      out.push({ text: q.slice(i, end), start: i, end, depth });
      i = end;
    } else {
      const start = i;
      while (i < q.length && !isBreak(q[i])) i++;
      // `from:"Priya Shah"`: the quoted value belongs to the filter.
      const word = q.slice(start, i);
      const m = /^-?([A-Za-z]+):$/.exec(word);
      if (m && FILTERS.includes(m[1].toLowerCase()) && q[i] === '"') {
        const close = q.indexOf('"', i + 1);
        i = close < 0 ? q.length : close + 1;
      }
      out.push({ text: q.slice(start, i), start, end: i, depth });
    }
  }
  return out;
}

/** Whether the query has an OR outside parentheses (so a filter added after it must wrap it). */
export function hasTopLevelOr(query: string): boolean {
  return tokens(query).some((t) => t.depth === 0 && t.text === "OR");
}

/** Filters that apply to the whole query: top-level pieces when the query is an AND of them. */
export function activeClauses(query: string): Set<string> {
  if (hasTopLevelOr(query)) return new Set();
  return new Set(tokens(query).filter((t) => t.depth === 0 && t.text !== "(" && t.text !== ")").map((t) => t.text));
}

/** The query narrowed by `clause` (wrapped in parentheses first if it has a top-level OR). */
export function addClause(query: string, clause: string): string {
  const q = query.trim();
  if (!q) return clause;
  if (activeClauses(q).has(clause)) return q;
  return `${hasTopLevelOr(q) ? `(${q})` : q} ${clause}`;
}

/** The query without a top-level `clause`. */
export function removeClause(query: string, clause: string): string {
  const q = query.trim();
  if (hasTopLevelOr(q)) return q;
  let out = q;
  for (const t of tokens(q).reverse()) {
    if (t.depth === 0 && t.text === clause) out = out.slice(0, t.start) + out.slice(t.end);
  }
  out = out.replace(/\s+/g, " ").trim();
  // "(a OR b)" left alone after its filters are removed: the parentheses are not needed.
  const inner = /^\((.*)\)$/.exec(out);
  if (inner && tokens(out).filter((t) => t.text === ")" && t.depth === 0).length === 1) out = inner[1].trim();
  return out;
}

/** Add `clause` if it is not applied to the whole query yet, remove it if it is. */
export function toggleClause(query: string, clause: string): string {
  return activeClauses(query).has(clause) ? removeClause(query, clause) : addClause(query, clause);
}

/** The 0-based character position a query error names ("… (at character 3)"), or null. */
export function errorPosition(message: string): number | null {
  const m = /\(at character (\d+)\)\s*$/.exec(message);
  if (!m) return null;
  const n = Number(m[1]);
  return Number.isSafeInteger(n) && n >= 1 ? n - 1 : null;
}

/** The core's "query: …" message as a sentence: "This '(' is never closed (at character 1)". */
export function errorSentence(message: string): string {
  const m = message.replace(/^query:\s*/, "");
  return m.charAt(0).toUpperCase() + m.slice(1);
}

/** The query cut around the character an error points at (in Unicode characters). */
export function errorParts(query: string, position: number): { before: string; at: string; after: string } {
  const chars = Array.from(query);
  const p = Math.max(0, Math.min(chars.length, position));
  return { before: chars.slice(0, p).join(""), at: chars[p] ?? "", after: chars.slice(p + 1).join("") };
}

export type HelpGroup = { title: string; items: ReadonlyArray<{ syntax: string; meaning: string }> };

/** The query language, as the "?" help lists it. */
export const QUERY_HELP: readonly HelpGroup[] = [
  {
    title: "Words",
    items: [
      { syntax: "budget approval", meaning: "every word, in any order (case and accents ignored)" },
      { syntax: '"site meeting"', meaning: "the exact phrase" },
      { syntax: "invoice OR quote", meaning: "either word" },
      { syntax: "-draft   NOT draft", meaning: "without this word" },
      { syntax: "(invoice OR quote) -draft", meaning: "grouping" },
      { syntax: "procure*", meaning: "words starting with procure" },
      { syntax: "recieve~   recieve~2", meaning: "fuzzy: 1 (or 2) letters wrong" },
    ],
  },
  {
    title: "Filters",
    items: [
      { syntax: 'from:priya   from:"Priya Shah"', meaning: "sent by" },
      { syntax: 'in:"Northgate depot"', meaning: "in a conversation (words of its title)" },
      { syntax: "app:whatsapp", meaning: "from one app" },
      { syntax: "tag:business", meaning: "with a tag given at import" },
      { syntax: "kind:media", meaning: "text, system, media, deleted or call" },
      { syntax: "has:attachment", meaning: "with a file or photo" },
      { syntax: "after:2024-01-15", meaning: "on or after that day" },
      { syntax: "before:2024-03-01", meaning: "before that day (not including it)" },
      { syntax: "on:2024-02-29", meaning: "on that day" },
      { syntax: "date:2024-01..2024-03", meaning: "January to March 2024, both included" },
    ],
  },
];

/** Example queries for the empty state. */
export const EXAMPLES: readonly string[] = ['"gate code"', "invoice OR quote -draft", "from:priya has:attachment"];
