import { describe, expect, it } from "vitest";
import { normaliseRanges, splitHighlights } from "../lib/highlight";
import type { MockConversation } from "../lib/mock/data";
import { searchMock } from "../lib/mock/search";

const marked = (parts: { text: string; mark: boolean }[]) => parts.filter((p) => p.mark).map((p) => p.text);

describe("splitHighlights", () => {
  it("cuts plain text at the ranges", () => {
    expect(splitHighlights("send the invoice today", [[9, 16]])).toEqual([
      { text: "send the ", mark: false },
      { text: "invoice", mark: true },
      { text: " today", mark: false },
    ]);
  });

  it("counts Unicode characters, not UTF-16 units: emoji and accents", () => {
    // 😀 and 🧾 are one character each but two UTF-16 units; ☕️ is two characters (cup +
    // variation selector) and 👍🏽 two (thumb + skin tone); "é" is precomposed (one character), while
    // "Zoë" at the end is written with a combining diaeresis (e + U+0308: two characters).
    const text = "😀 Café ☕️ 👍🏽 invoice 🧾 Zoe\u0308!";
    const chars = Array.from(text);
    const at = (word: string, from = 0): [number, number] => {
      for (let i = from; i < chars.length; i++) {
        if (chars.slice(i, i + Array.from(word).length).join("") === word) return [i, i + Array.from(word).length];
      }
      throw new Error(word);
    };
    const cafe = at("Café");
    const invoice = at("invoice");
    const zoe = at("Zoe\u0308");
    expect(cafe).toEqual([2, 6]);
    expect(invoice).toEqual([13, 20]);
    expect(zoe).toEqual([23, 27]);
    // What a UTF-16 slice at the same offsets would give (the bug this guards against).
    expect(text.slice(invoice[0], invoice[1])).not.toBe("invoice");

    const parts = splitHighlights(text, [cafe, invoice, zoe]);
    expect(marked(parts)).toEqual(["Café", "invoice", "Zoe\u0308"]);
    expect(parts.map((p) => p.text).join("")).toBe(text);
    expect(parts[0]).toEqual({ text: "😀 ", mark: false });
  });

  it("marks a whole emoji and a leading ellipsis correctly", () => {
    const parts = splitHighlights("…der 👍🏽 Müller sagt", [[8, 14]]);
    expect(marked(parts)).toEqual(["Müller"]);
    expect(parts[0].text).toBe("…der 👍🏽 ");
  });

  it("merges overlapping ranges, sorts them, and ignores ones outside the text or malformed", () => {
    expect(normaliseRanges(10, [[6, 8], [0, 2], [1, 3], [3, 4], [8, 8], [-5, 1], [9, 99], [NaN, 2], [5, 4]])).toEqual([
      [0, 4],
      [6, 8],
      [9, 10],
    ]);
    expect(splitHighlights("abc", [])).toEqual([{ text: "abc", mark: false }]);
    expect(splitHighlights("", [[0, 3]])).toEqual([{ text: "", mark: false }]);
    expect(splitHighlights("abc", [[0, 3]])).toEqual([{ text: "abc", mark: true }]);
  });

  it("agrees with the ranges the mock search makes (accent-folded match after emoji)", () => {
    const text = "Déjà vu 🙃 the east gate code is wrong again — Zoë has the new one.";
    const conv: MockConversation = {
      summary: { id: "c1", app: "whatsapp", title: "Site", kind: "group", participants: ["Sam"], messages: 1, first: null, last: null, tags: [] },
      tags: [],
      messages: [
        { id: "m1", sender: "Sam", sent_at: "2024-03-12T14:02:09Z", local_time: null, kind: "text", text, edited: false, reply_to: null, reactions: [], attachments: [], source: "x:1" },
      ],
    };
    const r = searchMock([conv], { query: "zoe deja", limit: 10, offset: 0, sort: "relevance", tz: "Europe/London" });
    expect(r.total).toBe(1);
    const hit = r.hits[0];
    expect(marked(splitHighlights(hit.snippet, hit.highlights))).toEqual(["Déjà", "Zoë"]);
  });
});
