import { describe, expect, it } from "vitest";
import { systemTimeZone } from "../lib/format";
import { defaultImportZone, saveDefaultImportZone, ZONE_KEY } from "../lib/zonepref";

function memory(): Storage {
  const m = new Map<string, string>();
  return {
    getItem: (k) => m.get(k) ?? null,
    setItem: (k, v) => void m.set(k, v),
    removeItem: (k) => void m.delete(k),
    clear: () => m.clear(),
    key: () => null,
    get length() {
      return m.size;
    },
  };
}

describe("the default import zone", () => {
  it("follows this computer until one is saved, then keeps it", () => {
    const s = memory();
    expect(defaultImportZone(s)).toBe(systemTimeZone());
    expect(saveDefaultImportZone("Asia/Kolkata", s)).toBe(true);
    expect(defaultImportZone(s)).toBe("Asia/Kolkata");
  });

  it("refuses a name that is not a zone and keeps the one saved", () => {
    const s = memory();
    saveDefaultImportZone("Europe/London", s);
    expect(saveDefaultImportZone("Mars/Olympus", s)).toBe(false);
    expect(defaultImportZone(s)).toBe("Europe/London");
  });

  it("an empty zone goes back to this computer's; a damaged saved value is ignored", () => {
    const s = memory();
    saveDefaultImportZone("Europe/London", s);
    saveDefaultImportZone("  ", s);
    expect(defaultImportZone(s)).toBe(systemTimeZone());
    s.setItem(ZONE_KEY, "not a zone");
    expect(defaultImportZone(s)).toBe(systemTimeZone());
  });
});
