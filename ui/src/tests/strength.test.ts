import { describe, expect, it } from "vitest";
import { checkNewPassphrase, estimateStrength, MIN_PASSPHRASE_LENGTH } from "../lib/strength";

describe("estimateStrength", () => {
  it("asks for a passphrase when empty", () => {
    const s = estimateStrength("");
    expect(s.level).toBe("weak");
    expect(s.bits).toBe(0);
    expect(s.reason).toMatch(/enter/i);
  });

  it("calls anything under the minimum length weak, whatever its variety", () => {
    const s = estimateStrength("Ab1!xY9");
    expect(s.level).toBe("weak");
    expect(s.reason).toContain(String(MIN_PASSPHRASE_LENGTH));
  });

  it("calls a short single-class word weak", () => {
    const s = estimateStrength("password");
    expect(s.level).toBe("weak");
    expect(s.reason).toMatch(/one kind/i);
  });

  it("sees through repeats and sequences", () => {
    expect(estimateStrength("aaaaaaaaaaaaaaaa").level).toBe("weak");
    expect(estimateStrength("abcdefghijklmnop").level).toBe("weak");
    expect(estimateStrength("1234567890123456").level).toBe("weak");
    expect(estimateStrength("aaaaaaaaaaaaaaaa").reason).toMatch(/repeated|sequential/i);
  });

  it("rates a mixed 10-character password fair", () => {
    const s = estimateStrength("Password1!");
    expect(s.level).toBe("fair");
    expect(s.bits).toBeGreaterThanOrEqual(45);
    expect(s.bits).toBeLessThan(75);
  });

  it("rates a several-word passphrase strong", () => {
    const s = estimateStrength("correct horse battery staple");
    expect(s.level).toBe("strong");
    expect(s.reason).toBeTruthy();
  });

  it("grows with length and character classes", () => {
    const a = estimateStrength("lanternorbit").bits;
    const b = estimateStrength("lanternorbitcopper").bits;
    const c = estimateStrength("Lantern0rbit!").bits;
    expect(b).toBeGreaterThan(a);
    expect(c).toBeGreaterThan(a);
  });

  it("counts characters outside ASCII by code point", () => {
    // 8 emoji are 16 UTF-16 units but 8 characters.
    const s = estimateStrength("🔒🗝️📁🧭🌊🪵🧱🎯");
    expect(s.reason).not.toMatch(/too short/i);
    expect(estimateStrength("żółw").reason).toMatch(/too short/i);
  });
});

describe("checkNewPassphrase", () => {
  it("requires the minimum length", () => {
    expect(checkNewPassphrase("short", "short")).toEqual({ ok: false, problem: expect.stringMatching(/8/) });
  });
  it("requires both entries to match", () => {
    expect(checkNewPassphrase("long enough", "long enougH")).toEqual({ ok: false, problem: expect.stringMatching(/match/) });
  });
  it("accepts a long, matching pair", () => {
    expect(checkNewPassphrase("long enough", "long enough")).toEqual({ ok: true });
  });
});
