import { describe, expect, it } from "vitest";
import { fillMonths } from "../lib/chart";

describe("messages per month", () => {
  it("fills the months nothing was sent in, across a year end", () => {
    const out = fillMonths([
      { month: "2024-11", messages: 3 },
      { month: "2025-02", messages: 5 },
    ]);
    expect(out.map((m) => `${m.month}:${m.messages}`)).toEqual(["2024-11:3", "2024-12:0", "2025-01:0", "2025-02:5"]);
  });
  it("keeps the last months only, and nothing when there is nothing", () => {
    const many = Array.from({ length: 50 }, (_, i) => ({ month: `${2020 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, "0")}`, messages: i }));
    const out = fillMonths(many, 36);
    expect(out).toHaveLength(36);
    expect(out[35].month).toBe("2024-02");
    expect(fillMonths([])).toEqual([]);
  });
});
