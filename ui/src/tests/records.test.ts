import { describe, expect, it } from "vitest";
import { auditSummary, clockLabel, urgency } from "../lib/records";

describe("audit entries in one line", () => {
  it("says what a search looked for and found", () => {
    expect(auditSummary({ action: "search", detail: { query: "roof", hits: 2 } })).toBe("“roof” — 2 hits");
    expect(auditSummary({ action: "search", detail: { query: "x", hits: 1, case: "FOI-1" } })).toBe("“x” — 1 hit (case FOI-1)");
  });
  it("puts a refusal first", () => {
    expect(
      auditSummary({ action: "tag.remove", detail: { tag: "business", conversation: 3, refused: "message 4 is held by H1" } }),
    ).toBe("REFUSED: message 4 is held by H1");
  });
  it("names tags, holds and disposals", () => {
    expect(auditSummary({ action: "tag.add", detail: { tag: "business", conversation: 3 } })).toBe("business on conversation 3");
    expect(auditSummary({ action: "hold.add", detail: { hold: "FOI-1", messages: 22 } })).toBe("FOI-1 — 22 messages");
    expect(auditSummary({ action: "dispose", detail: { certificate: 2, messages: 5, approver: "Dana" } })).toBe(
      "certificate 2: 5 messages, approved by Dana",
    );
    expect(auditSummary({ action: "foi.new", detail: { case: "FOI-9" } })).toBe("FOI-9");
  });
  it("shows hostile detail as plain text", () => {
    expect(auditSummary({ action: "search", detail: { query: "<img src=x>", hits: 0 } })).toBe("“<img src=x>” — 0 hits");
  });
});

describe("case clocks", () => {
  const base = { due: "2027-01-22", status: "open" as const, kind: "foi" as const };
  it("counts working days, or calendar days for a SAR", () => {
    expect(clockLabel({ ...base, days_left: 12 })).toBe("12 working days left");
    expect(clockLabel({ ...base, days_left: 1 })).toBe("1 working day left");
    expect(clockLabel({ ...base, kind: "sar", days_left: 9 })).toBe("9 days left");
    expect(clockLabel({ ...base, days_left: 0 })).toBe("due today");
    expect(clockLabel({ ...base, days_left: -3 })).toBe("3 working days overdue");
  });
  it("says when the clock is stopped or the case is done", () => {
    expect(clockLabel({ ...base, due: null, days_left: null, status: "awaiting_clarification" })).toContain("stopped");
    expect(clockLabel({ ...base, days_left: null, status: "closed" })).toBe("closed");
  });
  it("ranks urgency", () => {
    expect(urgency({ days_left: -1, status: "open" })).toBe("overdue");
    expect(urgency({ days_left: 5, status: "open" })).toBe("soon");
    expect(urgency({ days_left: 6, status: "open" })).toBe("ok");
    expect(urgency({ days_left: -9, status: "responded" })).toBe("done");
  });
});

import { charRange } from "../lib/records";

describe("selections as character offsets", () => {
  it("counts accented letters and emoji as one character", () => {
    const text = "Café 😀 call Priya";
    const from = text.indexOf("Priya");
    expect(charRange(text, from, from + 5)).toEqual([12, 17]);
    expect(Array.from(text).slice(12, 17).join("")).toBe("Priya");
  });
  it("accepts a backwards selection and refuses an empty one", () => {
    expect(charRange("abcdef", 4, 1)).toEqual([1, 4]);
    expect(charRange("abcdef", 2, 2)).toBeNull();
  });
});
