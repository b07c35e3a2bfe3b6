// A small stand-in for the core's search (src/index/), for `vite --mode mock`
// only: case- and accent-insensitive word matching over the mock messages, the
// query language's shape (words, "phrases", OR, -/NOT, (), prefix*, fuzzy~ and
// the filters), totals, pages, facets and highlight ranges in Unicode characters.
// A malformed query fails like the core's: bad_input, "query: … (at character N)".

import type { ConversationView } from "../bindings/ConversationView";
import type { Facets } from "../bindings/Facets";
import type { MessageView } from "../bindings/MessageView";
import type { SearchHit } from "../bindings/SearchHit";
import type { SearchArgs } from "../api";
import type { SearchResults } from "../bindings/SearchResults";
import { dayKey } from "../format";
import type { MockConversation } from "./data";

/** What the mock rejects with code bad_input. */
export class BadInput extends Error {}

export class QueryError extends BadInput {
  constructor(
    readonly position: number,
    readonly reason: string,
  ) {
    super(`query: ${reason} (at character ${position + 1})`);
  }
}

// ------------------------------------------------------------ words ---

/** Lower case without accents: "Café" -> "cafe". */
export function fold(s: string): string {
  return s.normalize("NFD").replace(/\p{M}+/gu, "").toLowerCase();
}

type Word = { text: string; from: number; to: number };

/** Words of `text` (letters and digits), folded, with [from, to) in Unicode characters. */
export function words(text: string): Word[] {
  const out: Word[] = [];
  const chars = Array.from(text);
  let i = 0;
  while (i < chars.length) {
    if (!/[\p{L}\p{N}]/u.test(chars[i])) {
      i++;
      continue;
    }
    const from = i;
    while (i < chars.length && /[\p{L}\p{N}\p{M}]/u.test(chars[i])) i++;
    out.push({ text: fold(chars.slice(from, i).join("")), from, to: i });
  }
  return out;
}

function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

// ------------------------------------------------------------ parse ---

type Period = { start: string; end: string }; // "YYYY-MM-DD", end exclusive

type Filter =
  | { name: "from" | "in" | "app" | "tag" | "kind"; value: string }
  | { name: "has" }
  | { name: "range"; from: string | null; to: string | null };

type Term = { word: string; prefix: boolean; fuzzy: number };

type Node =
  | { type: "term"; term: Term }
  | { type: "phrase"; words: string[] }
  | { type: "filter"; filter: Filter }
  | { type: "and" | "or"; parts: Node[] }
  | { type: "not"; node: Node };

type Tok =
  | { t: "(" | ")" | "OR" | "AND" | "NOT" | "-"; at: number }
  | { t: "phrase"; text: string; at: number }
  | { t: "word"; text: string; at: number }
  | { t: "filter"; name: string; value: string; at: number; valueAt: number };

const FILTER_NAMES = ["from", "in", "app", "tag", "kind", "has", "before", "after", "on", "date"];
const KINDS = ["text", "system", "media", "deleted", "call"];

function lex(q: string): Tok[] {
  const c = Array.from(q);
  const out: Tok[] = [];
  const isBreak = (ch: string) => /\s/.test(ch) || ch === "(" || ch === ")" || ch === '"';
  const closeQuote = (from: number) => {
    for (let j = from + 1; j < c.length; j++) if (c[j] === '"') return j;
    throw new QueryError(from, "this quote is never closed");
  };
  let i = 0;
  while (i < c.length) {
    const ch = c[i];
    if (/\s/.test(ch)) i++;
    else if (ch === "(" || ch === ")") out.push({ t: ch, at: i++ });
    else if (ch === '"') {
      const end = closeQuote(i);
      out.push({ t: "phrase", text: c.slice(i + 1, end).join(""), at: i });
      i = end + 1;
    } else if (ch === "-" && i + 1 < c.length && !/\s/.test(c[i + 1]) && c[i + 1] !== ")") {
      out.push({ t: "-", at: i++ });
    } else {
      const start = i;
      while (i < c.length && !isBreak(c[i])) i++;
      const word = c.slice(start, i).join("");
      if (word === "OR" || word === "AND" || word === "NOT") {
        out.push({ t: word, at: start });
        continue;
      }
      const colon = word.indexOf(":");
      const name = colon > 0 ? word.slice(0, colon).toLowerCase() : "";
      if (FILTER_NAMES.includes(name)) {
        let value = word.slice(colon + 1);
        const valueAt = start + name.length + 1;
        if (value === "" && c[i] === '"') {
          const end = closeQuote(i);
          value = c.slice(i + 1, end).join("");
          i = end + 1;
        }
        out.push({ t: "filter", name, value, at: start, valueAt });
      } else {
        out.push({ t: "word", text: word, at: start });
      }
    }
  }
  return out;
}

function period(v: string, at: number): Period {
  const bad = () => new QueryError(at, `'${v}' is not a date: write 2024, 2024-03 or 2024-03-15`);
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(v);
  if (!m) throw bad();
  const y = +m[1];
  const mo = m[2] ? +m[2] : null;
  const d = m[3] ? +m[3] : null;
  const key = (t: number) => new Date(t).toISOString().slice(0, 10);
  if (mo === null) return { start: `${m[1]}-01-01`, end: `${y + 1}-01-01` };
  if (mo < 1 || mo > 12) throw bad();
  if (d === null) return { start: key(Date.UTC(y, mo - 1, 1)), end: key(Date.UTC(y, mo, 1)) };
  const t = Date.UTC(y, mo - 1, d);
  if (new Date(t).getUTCDate() !== d) throw bad();
  return { start: key(t), end: key(t + 86_400_000) };
}

function filter(tok: Extract<Tok, { t: "filter" }>): Filter {
  const v = tok.value.trim();
  if (!v) throw new QueryError(tok.valueAt, `${tok.name}: needs a value`);
  switch (tok.name) {
    case "from":
    case "in":
    case "app":
    case "tag":
      return { name: tok.name, value: v };
    case "kind":
      if (!KINDS.includes(v.toLowerCase())) throw new QueryError(tok.valueAt, `kind: is one of ${KINDS.join(", ")}`);
      return { name: "kind", value: v.toLowerCase() };
    case "has":
      if (!/^attachments?$/i.test(v)) throw new QueryError(tok.valueAt, "has: takes 'attachment'");
      return { name: "has" };
    case "before":
      return { name: "range", from: null, to: period(v, tok.valueAt).start };
    case "after":
      return { name: "range", from: period(v, tok.valueAt).start, to: null };
    case "on":
      return { name: "range", ...span(period(v, tok.valueAt)) };
    default: {
      const [a, b] = v.split("..");
      if (b === undefined) return { name: "range", ...span(period(v, tok.valueAt)) };
      const from = period(a, tok.valueAt);
      const to = period(b, tok.valueAt + Array.from(a).length + 2);
      if (to.end <= from.start) throw new QueryError(tok.valueAt, `date:${v} ends before it starts`);
      return { name: "range", from: from.start, to: to.end };
    }
  }
}

const span = (p: Period) => ({ from: p.start, to: p.end });

function term(word: string, at: number): Node {
  let body = word;
  let fuzzy = 0;
  const tilde = body.lastIndexOf("~");
  if (tilde > 0) {
    const n = body.slice(tilde + 1);
    if (n !== "" && n !== "1" && n !== "2") throw new QueryError(at + tilde, "~ takes 1 or 2 edits (word~ or word~2)");
    fuzzy = n === "2" ? 2 : 1;
    body = body.slice(0, tilde);
  }
  const prefix = body.length > 1 && body.endsWith("*");
  if (prefix) body = body.slice(0, -1);
  if (prefix && fuzzy) throw new QueryError(at, "a word cannot be both a prefix (*) and fuzzy (~)");
  const w = words(body).map((x) => x.text);
  if (w.length === 0) return { type: "and", parts: [] };
  if (w.length > 1) return { type: "phrase", words: w };
  return { type: "term", term: { word: w[0], prefix, fuzzy } };
}

export function parse(q: string): Node {
  const toks = lex(q);
  const len = Array.from(q).length;
  if (toks.length === 0) throw new QueryError(0, "the query is empty");
  let i = 0;
  const peek = () => toks[i]?.t;
  const pos = () => toks[i]?.at ?? len;

  function or(): Node {
    const parts = [and()];
    while (peek() === "OR") {
      const at = pos();
      i++;
      if (peek() === undefined || peek() === ")" || peek() === "OR") throw new QueryError(at, "OR needs something on both sides");
      parts.push(and());
    }
    return parts.length === 1 ? parts[0] : { type: "or", parts };
  }
  function and(): Node {
    const parts: Node[] = [];
    for (;;) {
      const t = peek();
      if (t === undefined || t === ")" || t === "OR") break;
      if (t === "AND") {
        const at = pos();
        i++;
        const n = peek();
        if (parts.length === 0 || n === undefined || n === ")" || n === "OR" || n === "AND")
          throw new QueryError(at, "AND needs something on both sides");
        continue;
      }
      parts.push(unary());
    }
    if (parts.length === 0) {
      const t = peek();
      throw new QueryError(pos(), t === "OR" ? "OR needs something on both sides" : t === ")" ? "nothing to search for before ')'" : "nothing to search for");
    }
    return parts.length === 1 ? parts[0] : { type: "and", parts };
  }
  function unary(): Node {
    const t = peek();
    if (t === "NOT" || t === "-") {
      const at = pos();
      i++;
      const n = peek();
      if (n === undefined || n === ")" || n === "OR" || n === "AND") throw new QueryError(at, "NOT needs something after it");
      return { type: "not", node: unary() };
    }
    return primary();
  }
  function primary(): Node {
    const at = pos();
    const tok = toks[i++];
    if (!tok) throw new QueryError(at, "nothing to search for");
    switch (tok.t) {
      case "(": {
        if (peek() === ")") throw new QueryError(at, "empty parentheses");
        const inner = or();
        if (peek() !== ")") throw new QueryError(at, "this '(' is never closed");
        i++;
        return inner;
      }
      case "phrase": {
        const w = words(tok.text).map((x) => x.text);
        if (w.length === 0) throw new QueryError(at, "empty phrase");
        return { type: "phrase", words: w };
      }
      case "filter":
        return { type: "filter", filter: filter(tok) };
      case "word":
        return term(tok.text, at);
      case ")":
        throw new QueryError(at, "')' without a matching '('");
      default:
        throw new QueryError(at, "nothing to search for");
    }
  }

  const node = or();
  if (i < toks.length) throw new QueryError(pos(), peek() === ")" ? "')' without a matching '('" : "unexpected text");
  return node;
}

// ------------------------------------------------------------ match ---

type Doc = {
  conv: MockConversation;
  message: MessageView;
  /** The text searched: the message, then its attachments' names. */
  body: string;
  words: Word[];
  day: string;
};

function termMatches(t: Term, w: string): boolean {
  if (t.prefix) return w.startsWith(t.word);
  if (t.fuzzy) return editDistance(t.word, w, t.fuzzy) <= t.fuzzy;
  return w === t.word;
}

function looseMatch(wanted: string, hay: string): boolean {
  const want = words(wanted).map((w) => w.text);
  const have = new Set(words(hay).map((w) => w.text));
  return want.length > 0 && want.every((w) => have.has(w));
}

function filterMatches(f: Filter, d: Doc): boolean {
  switch (f.name) {
    case "from":
      return d.message.sender !== null && looseMatch(f.value, d.message.sender);
    case "in":
      return d.conv.summary.id === f.value || looseMatch(f.value, d.conv.summary.title);
    case "app":
      return d.conv.summary.app.toLowerCase() === f.value.toLowerCase();
    case "tag":
      return d.conv.tags.some((t) => t.toLowerCase() === f.value.toLowerCase());
    case "kind":
      return d.message.kind === f.value;
    case "has":
      return d.message.attachments.length > 0;
    case "range":
      return (f.from === null || d.day >= f.from) && (f.to === null || d.day < f.to);
  }
}

function phraseAt(d: Doc, p: string[]): number[] {
  const starts: number[] = [];
  for (let i = 0; i + p.length <= d.words.length; i++) {
    if (p.every((w, k) => d.words[i + k].text === w)) starts.push(i);
  }
  return starts;
}

function matches(n: Node, d: Doc): boolean {
  switch (n.type) {
    case "term":
      return d.words.some((w) => termMatches(n.term, w.text));
    case "phrase":
      return phraseAt(d, n.words).length > 0;
    case "filter":
      return filterMatches(n.filter, d);
    case "and":
      return n.parts.every((p) => matches(p, d));
    case "or":
      return n.parts.some((p) => matches(p, d));
    case "not":
      return !matches(n.node, d);
  }
}

/** The words and phrases to highlight (none from under NOT). */
function positives(n: Node, out: { terms: Term[]; phrases: string[][] }): void {
  if (n.type === "term") out.terms.push(n.term);
  else if (n.type === "phrase") out.phrases.push(n.words);
  else if (n.type === "and" || n.type === "or") n.parts.forEach((p) => positives(p, out));
}

const SNIPPET_CHARS = 180;

/** Highlighted ranges of `d`'s words, and the snippet cut around the first (as the core does). */
function snippetOf(text: string, hl: { terms: Term[]; phrases: string[][] }): { snippet: string; highlights: Array<[number, number]> } {
  const ws = words(text);
  const marked = new Set<number>();
  ws.forEach((w, i) => {
    if (hl.terms.some((t) => termMatches(t, w.text))) marked.add(i);
  });
  for (const p of hl.phrases) {
    for (let i = 0; i + p.length <= ws.length; i++) {
      if (p.every((w, k) => ws[i + k].text === w)) for (let k = 0; k < p.length; k++) marked.add(i + k);
    }
  }
  const ranges = [...marked].sort((a, b) => a - b).map((i) => [ws[i].from, ws[i].to] as [number, number]);
  const chars = Array.from(text);
  let from = 0;
  let to = chars.length;
  if (chars.length > SNIPPET_CHARS) {
    from = Math.max(0, (ranges[0]?.[0] ?? 0) - 40);
    to = Math.min(chars.length, from + SNIPPET_CHARS);
  }
  const lead = from > 0 ? 1 : 0;
  const highlights: Array<[number, number]> = [];
  for (const [a, b] of ranges) {
    if (a < from || b > to) continue;
    const last = highlights[highlights.length - 1];
    const r: [number, number] = [a - from + lead, b - from + lead];
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else highlights.push(r);
  }
  const snippet = (lead ? "…" : "") + chars.slice(from, to).join("") + (to < chars.length ? "…" : "");
  return { snippet, highlights };
}

// ------------------------------------------------------------ search ---

const days = new Map<string, string>();

/** The calendar day ("YYYY-MM-DD") of an instant in zone `tz`. */
function dayIn(iso: string, tz: string): string {
  const k = `${tz}|${iso}`;
  let d = days.get(k);
  if (d === undefined) {
    d = dayKey(iso, { timeZone: tz });
    days.set(k, d);
  }
  return d;
}

function validZone(tz: string | null): string {
  if (!tz) return "UTC";
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    return tz;
  } catch {
    throw new BadInput(`tz: '${tz}' is not a time zone name (like Europe/London)`);
  }
}

// Words of each message, worked out once (the mock data does not change under a message).
const wordCache = new WeakMap<MessageView, { body: string; words: Word[] }>();

function messageWords(message: MessageView): { body: string; words: Word[] } {
  let w = wordCache.get(message);
  if (!w) {
    const body = [message.text, ...message.attachments.map((a) => a.name)].join("\n");
    w = { body, words: words(body) };
    wordCache.set(message, w);
  }
  return w;
}

const FACET_VALUES = 20;

function top(counts: Map<string, number>, n: number): Record<string, number> {
  const sorted = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, n);
  return Object.fromEntries(sorted.sort((a, b) => a[0].localeCompare(b[0])));
}

/** Runs `req` over the conversations. Throws QueryError for a malformed query. */
export function searchMock(conversations: MockConversation[], req: SearchArgs): SearchResults {
  const started = performance.now();
  const tz = validZone(req.tz);
  const ast = parse(req.query);
  const hl = { terms: [] as Term[], phrases: [] as string[][] };
  positives(ast, hl);

  const found: Array<{ d: Doc; score: number }> = [];
  for (const conv of conversations) {
    for (const message of conv.messages) {
      const { body, words: ws } = messageWords(message);
      const d: Doc = { conv, message, body, words: ws, day: dayIn(message.sent_at, tz) };
      if (!matches(ast, d)) continue;
      const score = d.words.filter((w) => hl.terms.some((t) => termMatches(t, w.text))).length + hl.phrases.reduce((n, p) => n + phraseAt(d, p).length * 2, 0);
      found.push({ d, score });
    }
  }

  if (req.sort === "relevance") found.sort((a, b) => b.score - a.score || b.d.message.sent_at.localeCompare(a.d.message.sent_at));
  else if (req.sort === "newest") found.sort((a, b) => b.d.message.sent_at.localeCompare(a.d.message.sent_at));
  else found.sort((a, b) => a.d.message.sent_at.localeCompare(b.d.message.sent_at));

  const counts = { app: new Map<string, number>(), conversation: new Map<string, number>(), sender: new Map<string, number>(), month: new Map<string, number>(), tag: new Map<string, number>() };
  const add = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
  for (const { d } of found) {
    add(counts.app, d.conv.summary.app);
    add(counts.conversation, d.conv.summary.title);
    if (d.message.sender) add(counts.sender, d.message.sender);
    add(counts.month, d.day.slice(0, 7));
    for (const t of d.conv.tags) add(counts.tag, t);
  }
  const noFacets: Facets = { app: {}, conversation: {}, sender: {}, month: {}, tag: {} };
  const facets: Facets =
    req.facets === false
      ? noFacets
      : {
          app: top(counts.app, FACET_VALUES),
          conversation: top(counts.conversation, FACET_VALUES),
          sender: top(counts.sender, FACET_VALUES),
          month: top(counts.month, Number.MAX_SAFE_INTEGER),
          tag: top(counts.tag, FACET_VALUES),
        };

  const limit = Math.min(1000, Math.max(1, req.limit ?? 20));
  const offset = Math.max(0, req.offset ?? 0);
  const hits: SearchHit[] = found.slice(offset, offset + limit).map(({ d, score }) => {
    let cut = snippetOf(d.message.text, hl);
    if (cut.highlights.length === 0 && (hl.terms.length > 0 || hl.phrases.length > 0)) {
      for (const a of d.message.attachments) {
        const s = snippetOf(`📎 ${a.name}`, hl);
        if (s.highlights.length > 0) {
          cut = s;
          break;
        }
      }
    }
    return {
      message_id: d.message.id,
      conversation_id: d.conv.summary.id,
      conversation: d.conv.summary.title,
      app: d.conv.summary.app,
      sender: d.message.sender,
      sent_at: d.message.sent_at,
      kind: d.message.kind,
      snippet: cut.snippet,
      highlights: cut.highlights,
      score: req.sort === "relevance" ? score : 0,
    };
  });

  return {
    query: req.query,
    total: found.length,
    took_ms: Math.round((performance.now() - started) * 1000) / 1000,
    offset,
    hits,
    facets,
  };
}

/** The message with `context` messages either side; null if there is no such message. */
export function contextMock(conv: MockConversation, messageId: string, context: number): ConversationView | null {
  const i = conv.messages.findIndex((m) => m.id === messageId);
  if (i < 0) return null;
  const n = Math.max(0, Math.floor(context));
  const from = Math.max(0, i - n);
  return {
    conversation: conv.summary,
    messages: conv.messages.slice(from, i + n + 1),
    total: conv.messages.length,
    offset: from,
  };
}
