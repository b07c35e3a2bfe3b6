// Formatting helpers: numbers with thousands separators, sizes, and dates in
// the user's own time zone and locale. Every function takes optional
// `locale`/`timeZone` so that tests are deterministic; in the app they are
// left undefined and Intl uses the system settings.

export type Zone = { locale?: string; timeZone?: string };

const cache = new Map<string, Intl.DateTimeFormat | Intl.NumberFormat>();

function dtf(z: Zone, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `d|${z.locale ?? ""}|${z.timeZone ?? ""}|${JSON.stringify(options)}`;
  let f = cache.get(key) as Intl.DateTimeFormat | undefined;
  if (!f) {
    f = new Intl.DateTimeFormat(z.locale, { ...options, timeZone: z.timeZone });
    cache.set(key, f);
  }
  return f;
}

function nf(locale: string | undefined, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const key = `n|${locale ?? ""}|${JSON.stringify(options)}`;
  let f = cache.get(key) as Intl.NumberFormat | undefined;
  if (!f) {
    f = new Intl.NumberFormat(locale, options);
    cache.set(key, f);
  }
  return f;
}

/** 1234567 -> "1,234,567" (in the user's locale). */
export function formatCount(n: number, locale?: string): string {
  return nf(locale, { maximumFractionDigits: 0 }).format(n);
}

/** "1 message", "1,204 messages". */
export function plural(n: number, one: string, many: string, locale?: string): string {
  return `${formatCount(n, locale)} ${n === 1 ? one : many}`;
}

/** Byte counts in binary units: 0 B, 950 B, 1.5 KB, 12 MB, 2.1 GB. */
export function formatBytes(bytes: number, locale?: string): string {
  if (!Number.isFinite(bytes) || bytes < 0) return "";
  const units = ["B", "KB", "MB", "GB", "TB"];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  const digits = i === 0 || v >= 10 ? 0 : 1;
  return `${nf(locale, { maximumFractionDigits: digits, minimumFractionDigits: 0 }).format(v)} ${units[i]}`;
}

/** Whole-number percentage of done/total, clamped to 0..100; null if unknown. */
export function percent(done: number, total: number): number | null {
  if (!(total > 0)) return null;
  return Math.max(0, Math.min(100, Math.floor((done / total) * 100)));
}

export function parseDate(iso: string | null | undefined): Date | null {
  if (!iso) return null;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** Calendar day of an instant in a zone, as "YYYY-MM-DD" (for grouping). */
export function dayKey(iso: string, z: Zone = {}): string {
  const d = parseDate(iso);
  if (!d) return "";
  const parts = dtf({ locale: "en-CA", timeZone: z.timeZone }, {
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).formatToParts(d);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? "";
  return `${get("year")}-${get("month")}-${get("day")}`;
}

/** Days between two "YYYY-MM-DD" keys (b - a). */
function dayDiff(a: string, b: string): number {
  const pa = Date.UTC(+a.slice(0, 4), +a.slice(5, 7) - 1, +a.slice(8, 10));
  const pb = Date.UTC(+b.slice(0, 4), +b.slice(5, 7) - 1, +b.slice(8, 10));
  return Math.round((pb - pa) / 86_400_000);
}

/** Time of day: "14:02" (or "2:02 PM" where the locale says so). */
export function formatTime(iso: string, z: Zone = {}): string {
  const d = parseDate(iso);
  if (!d) return "";
  return dtf(z, { timeStyle: "short" }).format(d);
}

/** A date without time: "12 Mar 2024". */
export function formatDate(iso: string | null, z: Zone = {}): string {
  const d = parseDate(iso);
  if (!d) return "";
  return dtf(z, { year: "numeric", month: "short", day: "numeric" }).format(d);
}

/** Date and time, compact: "12 Mar 2024, 14:02". */
export function formatDateTime(iso: string, z: Zone = {}): string {
  const d = parseDate(iso);
  if (!d) return "";
  return dtf(z, { dateStyle: "medium", timeStyle: "short" }).format(d);
}

/** Full date and time, for tooltips: "Tuesday, 12 March 2024 at 14:02:09 GMT". */
export function formatDateTimeLong(iso: string, z: Zone = {}): string {
  const d = parseDate(iso);
  if (!d) return "";
  return dtf(z, { dateStyle: "full", timeStyle: "long" }).format(d);
}

/**
 * Day separator label: "Today", "Yesterday", a weekday within the last week,
 * otherwise the full date ("Tuesday, 12 March 2024").
 */
export function formatDayLabel(iso: string, z: Zone = {}, now: Date = new Date()): string {
  const d = parseDate(iso);
  if (!d) return "";
  const diff = dayDiff(dayKey(iso, z), dayKey(now.toISOString(), z));
  if (diff === 0) return "Today";
  if (diff === 1) return "Yesterday";
  if (diff > 1 && diff < 7) return dtf(z, { weekday: "long" }).format(d);
  return dtf(z, { dateStyle: "full" }).format(d);
}

/**
 * Compact date for list rows, like a mail client: the time today,
 * "Yesterday", a short weekday within the last week, else the date.
 */
export function formatListDate(iso: string | null, z: Zone = {}, now: Date = new Date()): string {
  const d = parseDate(iso);
  if (!d || !iso) return "";
  const diff = dayDiff(dayKey(iso, z), dayKey(now.toISOString(), z));
  if (diff === 0) return formatTime(iso, z);
  if (diff === 1) return "Yesterday";
  if (diff > 1 && diff < 7) return dtf(z, { weekday: "short" }).format(d);
  return formatDate(iso, z);
}

/** "12 Mar 2023 – 4 Jan 2024", one date if both fall on the same day, "" if none. */
export function formatDateRange(first: string | null, last: string | null, z: Zone = {}): string {
  const a = formatDate(first, z);
  const b = formatDate(last, z);
  if (!a && !b) return "";
  if (!a) return b;
  if (!b || a === b) return a;
  return `${a} – ${b}`;
}

/** The browser's IANA time zone, e.g. "Europe/London" ("UTC" if unknown). */
export function systemTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
}

/** Whether Intl knows this IANA zone name. */
export function isValidTimeZone(tz: string): boolean {
  if (!tz.trim()) return false;
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz.trim() });
    return true;
  } catch {
    return false;
  }
}

/** The last path component, for either separator: "C:\\x\\chat.zip" -> "chat.zip". */
export function baseName(path: string): string {
  const trimmed = path.replace(/[\\/]+$/, "");
  const i = Math.max(trimmed.lastIndexOf("/"), trimmed.lastIndexOf("\\"));
  return i >= 0 ? trimmed.slice(i + 1) : trimmed;
}

/** A month facet key "2024-03" as "Mar 2024" (in the user's locale); the key itself if malformed. */
export function formatMonth(key: string, locale?: string): string {
  const m = /^(\d{4})-(\d{2})$/.exec(key);
  if (!m || +m[2] < 1 || +m[2] > 12) return key;
  // The key is already a calendar month in the user's zone: format it as UTC so it stays that month.
  return dtf({ locale, timeZone: "UTC" }, { year: "numeric", month: "short" }).format(Date.UTC(+m[1], +m[2] - 1, 1));
}

/** How long something took: "0.4 ms", "12 ms", "1.2 s". */
export function formatDuration(ms: number, locale?: string): string {
  if (!Number.isFinite(ms) || ms < 0) return "";
  if (ms < 10) return `${nf(locale, { maximumFractionDigits: 1 }).format(ms)} ms`;
  if (ms < 1000) return `${formatCount(Math.round(ms), locale)} ms`;
  return `${nf(locale, { maximumFractionDigits: 1 }).format(ms / 1000)} s`;
}
