import { describe, expect, it, vi } from "vitest";
import { DEFAULT_IDLE_MINUTES, IdleTimer, idleMinutes, saveIdleMinutes } from "../lib/idle";

describe("auto-lock", () => {
  it("locks after the set minutes without input, and input restarts the count", () => {
    vi.useFakeTimers();
    const onIdle = vi.fn();
    const t = new IdleTimer(onIdle);
    t.touch(15);
    vi.advanceTimersByTime(14 * 60_000);
    t.touch(15);
    vi.advanceTimersByTime(14 * 60_000);
    expect(onIdle).not.toHaveBeenCalled();
    vi.advanceTimersByTime(60_000);
    expect(onIdle).toHaveBeenCalledTimes(1);
    vi.useRealTimers();
  });
  it("0 minutes turns it off", () => {
    vi.useFakeTimers();
    const onIdle = vi.fn();
    const t = new IdleTimer(onIdle);
    t.touch(0);
    vi.advanceTimersByTime(10 * 3_600_000);
    expect(onIdle).not.toHaveBeenCalled();
    vi.useRealTimers();
  });
  it("keeps the setting on this device, with a default", () => {
    const store = new Map<string, string>();
    const storage = { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v) };
    expect(idleMinutes(storage)).toBe(DEFAULT_IDLE_MINUTES);
    saveIdleMinutes(5, storage);
    expect(idleMinutes(storage)).toBe(5);
    store.set("holdfast.idleLockMinutes", "soon");
    expect(idleMinutes(storage)).toBe(DEFAULT_IDLE_MINUTES);
  });
});
