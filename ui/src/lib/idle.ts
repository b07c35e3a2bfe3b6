// Auto-lock: the archive locks itself after a stretch without keyboard or pointer input.
// The minutes are a setting kept on this device (localStorage); 0 turns auto-lock off.

export const IDLE_KEY = "holdfast.idleLockMinutes";
export const DEFAULT_IDLE_MINUTES = 15;
export const IDLE_CHOICES = [0, 5, 15, 30, 60] as const;

/** The saved setting, or the default when there is none (or it is not a number). */
export function idleMinutes(storage: Pick<Storage, "getItem"> | null = globalThis.localStorage ?? null): number {
  const raw = storage?.getItem(IDLE_KEY);
  const n = raw === null || raw === undefined ? NaN : Number(raw);
  return Number.isFinite(n) && n >= 0 ? n : DEFAULT_IDLE_MINUTES;
}

export function saveIdleMinutes(n: number, storage: Pick<Storage, "setItem"> | null = globalThis.localStorage ?? null): void {
  storage?.setItem(IDLE_KEY, String(Math.max(0, Math.round(n))));
}

/**
 * Calls `onIdle` once `minutes` pass without `touch()`. Timers are injectable for tests.
 */
export class IdleTimer {
  private handle: ReturnType<typeof setTimeout> | null = null;
  constructor(
    private readonly onIdle: () => void,
    private readonly timers: {
      set: (f: () => void, ms: number) => ReturnType<typeof setTimeout>;
      clear: (h: ReturnType<typeof setTimeout>) => void;
    } = { set: (f, ms) => setTimeout(f, ms), clear: (h) => clearTimeout(h) },
  ) {}

  /** (Re)starts the countdown; `minutes` of 0 stops it. */
  touch(minutes: number): void {
    this.stop();
    if (minutes > 0) this.handle = this.timers.set(() => {
      this.handle = null;
      this.onIdle();
    }, minutes * 60_000);
  }

  stop(): void {
    if (this.handle !== null) this.timers.clear(this.handle);
    this.handle = null;
  }
}
