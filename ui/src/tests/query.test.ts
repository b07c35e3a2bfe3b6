import { describe, expect, it } from "vitest";
import {
  addClause,
  activeClauses,
  errorParts,
  errorPosition,
  errorSentence,
  facetClause,
  facetFilter,
  hasTopLevelOr,
  quoteValue,
  removeClause,
  toggleClause,
} from "../lib/query";

describe("facet filters", () => {
  it("writes each facet as the query language's filter", () => {
    expect(facetClause("app", "whatsapp")).toBe("app:whatsapp");
    expect(facetClause("app", "WhatsApp")).toBe("app:whatsapp");
    expect(facetClause("conversation", "Council")).toBe("in:Council");
    expect(facetClause("sender", "Priya")).toBe("from:Priya");
    expect(facetClause("tag", "business")).toBe("tag:business");
    expect(facetClause("month", "2024-03")).toBe("date:2024-03");
    expect(facetClause("month", "March")).toBeNull();
    expect(facetClause("sender", "  ")).toBeNull();
  });

  it("quotes values with spaces or parentheses, and drops quotes a value cannot hold", () => {
    expect(facetClause("conversation", "Northgate depot – site team")).toBe('in:"Northgate depot – site team"');
    expect(facetClause("sender", "Priya Shah")).toBe('from:"Priya Shah"');
    expect(facetClause("tag", "FOI 2024-17")).toBe('tag:"FOI 2024-17"');
    expect(facetClause("sender", "Dan (site)")).toBe('from:"Dan (site)"');
    expect(facetClause("sender", 'Dan "Chips" Lee')).toBe('from:"Dan Chips Lee"');
    expect(quoteValue("Zoë")).toBe("Zoë");
    expect(quoteValue("a\tb")).toBe('"a b"');
  });

  it("picks a conversation by id when two share a title (\"Title #12\")", () => {
    expect(facetFilter("conversation", "Family #12")).toBe("in:12");
    expect(facetFilter("sender", "Sam Lee #7")).toBe('from:"Sam Lee"');
    // A title that really ends in "#2" (seen in the hits) stays a title.
    expect(facetFilter("conversation", "Shift #2", new Set(["Shift #2"]))).toBe('in:"Shift #2"');
  });
});

describe("adding a facet's filter to the query", () => {
  it("appends to an AND query and does not repeat a filter", () => {
    expect(addClause("invoice", 'in:"Council liaison"')).toBe('invoice in:"Council liaison"');
    expect(addClause("", "app:signal")).toBe("app:signal");
    expect(addClause('invoice in:"Council liaison"', 'in:"Council liaison"')).toBe('invoice in:"Council liaison"');
  });

  it("wraps a query with a top-level OR so the filter applies to all of it", () => {
    expect(hasTopLevelOr("invoice OR quote")).toBe(true);
    expect(hasTopLevelOr("(invoice OR quote) -draft")).toBe(false);
    expect(hasTopLevelOr('"this OR that"')).toBe(false);
    expect(addClause("invoice OR quote", "app:whatsapp")).toBe("(invoice OR quote) app:whatsapp");
    expect(addClause("(invoice OR quote) -draft", "date:2024-03")).toBe("(invoice OR quote) -draft date:2024-03");
  });

  it("toggles: a filter already on the whole query is removed", () => {
    const q = toggleClause("invoice OR quote", 'from:"Priya Shah"');
    expect(q).toBe('(invoice OR quote) from:"Priya Shah"');
    expect(activeClauses(q).has('from:"Priya Shah"')).toBe(true);
    expect(toggleClause(q, 'from:"Priya Shah"')).toBe("invoice OR quote");
    expect(removeClause('gate in:"Northgate depot" code', 'in:"Northgate depot"')).toBe("gate code");
    // Inside an OR a filter does not narrow the whole query: it is not "active".
    expect(activeClauses('gate OR in:"Northgate depot"').size).toBe(0);
  });
});

describe("query errors", () => {
  it("finds the character the core's message points at", () => {
    expect(errorPosition("query: this '(' is never closed (at character 1)")).toBe(0);
    expect(errorPosition("query: this quote is never closed (at character 12)")).toBe(11);
    expect(errorPosition("The archive is locked.")).toBeNull();
    expect(errorSentence("query: this '(' is never closed (at character 1)")).toBe("This '(' is never closed (at character 1)");
  });

  it("cuts the query at that character, counting characters not UTF-16 units", () => {
    expect(errorParts("(invoice OR quote", 0)).toEqual({ before: "", at: "(", after: "invoice OR quote" });
    expect(errorParts('🧾 café "unclosed', 7)).toEqual({ before: "🧾 café ", at: '"', after: "unclosed" });
    expect(errorParts("a OR", 4)).toEqual({ before: "a OR", at: "", after: "" });
  });
});
