// The browser-only mock's search: it must fail like the core on malformed
// queries, and give totals, pages, facets and character-offset highlights.
import { describe, expect, it } from "vitest";
import { demoConversations } from "../lib/mock/data";
import { contextMock, parse, QueryError, searchMock } from "../lib/mock/search";
import type { SearchArgs } from "../lib/api";
import { splitHighlights } from "../lib/highlight";

const convs = demoConversations(Date.UTC(2024, 5, 1));
const req = (query: string, over: Partial<SearchArgs> = {}): SearchArgs => ({
  query,
  limit: 20,
  offset: 0,
  sort: "relevance",
  tz: "Europe/London",
  ...over,
});

function errorOf(q: string): string {
  try {
    parse(q);
  } catch (e) {
    if (e instanceof QueryError) return e.message;
    throw e;
  }
  return "no error";
}

describe("mock search", () => {
  it("rejects unbalanced parentheses and quotes with the position, as the core does", () => {
    expect(errorOf("(invoice OR quote")).toBe("query: this '(' is never closed (at character 1)");
    expect(errorOf('a "unclosed')).toBe("query: this quote is never closed (at character 3)");
    expect(errorOf('from:"Priya')).toBe("query: this quote is never closed (at character 6)");
    expect(errorOf("invoice)")).toBe("query: ')' without a matching '(' (at character 8)");
    expect(errorOf("🧾 (x")).toBe("query: this '(' is never closed (at character 3)");
    expect(errorOf("kind:photo")).toMatch(/^query: kind: is one of .* \(at character 6\)$/);
    expect(errorOf("   ")).toBe("query: the query is empty (at character 1)");
    expect(errorOf("(a OR b) -c")).toBe("no error");
  });

  it("matches words ignoring case and accents, and highlights them in characters", () => {
    const r = searchMock(convs, req("CAFE zoe"));
    expect(r.total).toBe(1);
    const h = r.hits[0];
    const marked = splitHighlights(h.snippet, h.highlights).filter((p) => p.mark).map((p) => p.text);
    expect(marked).toEqual(["Café", "Zoë"]);
  });

  it("pages with offset and limit, and counts every match in the facets", () => {
    const first = searchMock(convs, req("the", { limit: 50, sort: "newest" }));
    const second = searchMock(convs, req("the", { limit: 50, offset: 50, sort: "newest" }));
    expect(first.total).toBeGreaterThan(100);
    expect(first.hits).toHaveLength(50);
    expect(second.offset).toBe(50);
    expect(second.hits[0].sent_at <= first.hits[49].sent_at).toBe(true);
    expect(new Set([...first.hits, ...second.hits].map((h) => h.message_id)).size).toBe(100);
    const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);
    expect(sum(first.facets.app)).toBe(first.total);
    expect(sum(first.facets.month)).toBe(first.total);
    expect(Object.keys(first.facets.month).every((m) => /^\d{4}-\d{2}$/.test(m))).toBe(true);
    expect(first.facets.tag.business).toBeGreaterThan(0);
    // Later pages can skip the facets.
    expect(searchMock(convs, req("the", { offset: 50, facets: false })).facets.app).toEqual({});
  });

  it("applies the filters facets produce", () => {
    const all = searchMock(convs, req("the"));
    const council = searchMock(convs, req('the in:"Council liaison"'));
    expect(council.total).toBe(all.facets.conversation["Council liaison"]);
    expect(council.hits.every((h) => h.conversation === "Council liaison")).toBe(true);
    const month = Object.keys(all.facets.month)[0];
    expect(searchMock(convs, req(`the date:${month}`)).total).toBe(all.facets.month[month]);
    expect(searchMock(convs, req('the tag:"FOI 2024-17"')).total).toBe(all.facets.tag["FOI 2024-17"]);
    expect(searchMock(convs, req("the app:signal")).total).toBe(all.facets.app.signal);
    expect(searchMock(convs, req('the from:"Priya Shah"')).total).toBe(all.facets.sender["Priya Shah"]);
    expect(searchMock(convs, req("(invoice OR quote) -invoice")).hits.every((h) => !/invoice/i.test(h.snippet))).toBe(true);
  });

  it("gives a message with its context", () => {
    const c = convs[0];
    const id = c.messages[100].id;
    const v = contextMock(c, id, 5)!;
    expect(v.offset).toBe(95);
    expect(v.messages).toHaveLength(11);
    expect(v.messages[5].id).toBe(id);
    expect(contextMock(c, c.messages[0].id, 5)!.messages).toHaveLength(6);
    expect(contextMock(c, "nope", 5)).toBeNull();
  });
});
