// Months for Home's messages-per-month chart: gaps filled with zeros, the last `max` kept.

import type { MonthCount } from "./bindings/MonthCount";

function nextMonth(m: string): string {
  const [y, mo] = m.split("-").map(Number);
  return mo === 12 ? `${y + 1}-01` : `${y}-${String(mo + 1).padStart(2, "0")}`;
}

/** Every month from the first to the last (zeros where nothing was sent), the last `max`. */
export function fillMonths(counts: MonthCount[], max = 36): MonthCount[] {
  const valid = counts.filter((c) => /^\d{4}-\d{2}$/.test(c.month));
  if (valid.length === 0) return [];
  const by = new Map(valid.map((c) => [c.month, c.messages]));
  const out: MonthCount[] = [];
  const last = valid[valid.length - 1].month;
  for (let m = valid[0].month; m <= last; m = nextMonth(m)) out.push({ month: m, messages: by.get(m) ?? 0 });
  return out.slice(-max);
}
