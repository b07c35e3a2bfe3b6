import { describe, expect, it } from "vitest";
import { clickMessage, EMPTY_SELECTION, selectedInOrder } from "../lib/selection";

const order = ["m1", "m2", "m3", "m4", "m5", "m6"];

describe("selecting messages", () => {
  it("a click toggles one message and makes it the anchor", () => {
    let s = clickMessage(EMPTY_SELECTION, order, "m2", false);
    expect([...s.ids]).toEqual(["m2"]);
    expect(s.anchor).toBe("m2");
    s = clickMessage(s, order, "m2", false);
    expect(s.ids.size).toBe(0);
  });

  it("a shift-click selects the range from the anchor, in either direction", () => {
    let s = clickMessage(EMPTY_SELECTION, order, "m2", false);
    s = clickMessage(s, order, "m5", true);
    expect(selectedInOrder(s, order)).toEqual(["m2", "m3", "m4", "m5"]);
    s = clickMessage(EMPTY_SELECTION, order, "m5", false);
    s = clickMessage(s, order, "m3", true);
    expect(selectedInOrder(s, order)).toEqual(["m3", "m4", "m5"]);
  });

  it("a range adds to what was selected before", () => {
    let s = clickMessage(EMPTY_SELECTION, order, "m1", false);
    s = clickMessage(s, order, "m4", false);
    s = clickMessage(s, order, "m6", true);
    expect(selectedInOrder(s, order)).toEqual(["m1", "m4", "m5", "m6"]);
  });

  it("a shift-click without an anchor (or one no longer shown) toggles", () => {
    let s = clickMessage(EMPTY_SELECTION, order, "m3", true);
    expect(selectedInOrder(s, order)).toEqual(["m3"]);
    s = { ids: new Set(["gone"]), anchor: "gone" };
    s = clickMessage(s, order, "m2", true);
    expect(selectedInOrder(s, order)).toEqual(["m2"]);
    expect(s.anchor).toBe("m2");
  });
});
