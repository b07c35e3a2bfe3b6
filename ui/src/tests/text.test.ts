import { describe, expect, it } from "vitest";
import { firstLine, groupReactions } from "../lib/text";

describe("firstLine", () => {
  it("takes the first non-blank line, trimmed", () => {
    expect(firstLine("\n  \n  Hello there  \nsecond")).toBe("Hello there");
    expect(firstLine("one\r\ntwo")).toBe("one");
    expect(firstLine("")).toBe("");
    expect(firstLine(" \n ")).toBe("");
  });

  it("cuts long lines in Unicode characters, not UTF-16 units", () => {
    expect(firstLine("abcdef", 4)).toBe("abc…");
    expect(firstLine("🙂🙂🙂", 3)).toBe("🙂🙂🙂");
    expect(firstLine("🙂🙂🙂🙂", 3)).toBe("🙂🙂…");
  });
});

describe("groupReactions", () => {
  it("groups by emoji in first-seen order and keeps who reacted in order", () => {
    expect(
      groupReactions([
        { emoji: "👍", by: "Bob" },
        { emoji: "🎉", by: "Cy" },
        { emoji: "👍", by: "Ada" },
        { emoji: "👍🏽", by: "Dee" },
      ]),
    ).toEqual([
      { emoji: "👍", by: ["Bob", "Ada"] },
      { emoji: "🎉", by: ["Cy"] },
      { emoji: "👍🏽", by: ["Dee"] },
    ]);
    expect(groupReactions([])).toEqual([]);
  });
});
