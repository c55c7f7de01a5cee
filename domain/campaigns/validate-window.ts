// The campaign's sending window: the inbox window's rules (weekdays 0–6, whole hours, an IANA
// zone, holidays as dates), every problem collected, and one more: it must open at least once in
// every week, so a holiday list cannot silently park a campaign for weeks.
import type { CampaignWindow } from './spec.js';
import { at, isInt, isRecord, isTimeZone, refuseUnknown, type Problems } from './checks.js';

const WINDOW_KEYS = ['days', 'startHour', 'endHour', 'timeZone', 'holidays', 'recipientTimeZone'] as const;
const MAX_HOLIDAYS = 400;
const DAY_MS = 86_400_000;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Epoch day of a real calendar date, or null (2026-02-30 is not one). */
function epochDay(s: string): number | null {
  const m = DATE.exec(s);
  if (m === null) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = Date.UTC(y, mo - 1, d);
  const back = new Date(t);
  return back.getUTCFullYear() === y && back.getUTCMonth() === mo - 1 && back.getUTCDate() === d ? t / DAY_MS : null;
}

const isoDay = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);

/**
 * The first run of 7+ consecutive dates on which the window is closed (every open weekday in it a
 * holiday), or null. Only the stretch around the holidays can be closed that long; elsewhere the
 * weekdays alone decide, and `days` is non-empty.
 */
function closedWeek(days: readonly number[], holidays: readonly number[]): { from: string; to: string } | null {
  if (holidays.length === 0) return null;
  const off = new Set(holidays);
  const first = Math.min(...holidays) - 7;
  const last = Math.max(...holidays) + 7;
  let runStart: number | null = null;
  for (let d = first; d <= last; d++) {
    // Epoch day 0 (1970-01-01) was a Thursday (4).
    const open = days.includes((((d + 4) % 7) + 7) % 7) && !off.has(d);
    if (open) {
      if (runStart !== null && d - runStart >= 7) return { from: isoDay(runStart), to: isoDay(d - 1) };
      runStart = null;
    } else runStart ??= d;
  }
  return null;
}

export function checkWindow(out: Problems, w: unknown, base = 'window'): w is CampaignWindow {
  if (!isRecord(w)) {
    out.push({ path: base, reason: w === undefined ? 'required' : 'must be an object { days, startHour, endHour, timeZone, holidays?, recipientTimeZone? }' });
    return false;
  }
  const before = out.length;
  refuseUnknown(out, w, WINDOW_KEYS, base);
  const days = Array.isArray(w.days) ? w.days : null;
  if (days === null || days.length === 0) out.push({ path: at(base, 'days'), reason: 'must list at least one weekday (0 = Sunday … 6 = Saturday)' });
  else {
    days.forEach((d, i) => {
      if (!isInt(d, 0, 6)) out.push({ path: `${at(base, 'days')}[${i}]`, reason: 'must be a whole number from 0 (Sunday) to 6 (Saturday)' });
    });
    if (new Set(days).size !== days.length) out.push({ path: at(base, 'days'), reason: 'lists a weekday twice' });
  }
  const start = isInt(w.startHour, 0, 23);
  const end = isInt(w.endHour, 1, 24);
  if (!start) out.push({ path: at(base, 'startHour'), reason: 'must be a whole number from 0 to 23' });
  if (!end) out.push({ path: at(base, 'endHour'), reason: 'must be a whole number from 1 to 24' });
  if (start && end && (w.endHour as number) <= (w.startHour as number))
    out.push({ path: base, reason: `never opens: endHour ${String(w.endHour)} must be after startHour ${String(w.startHour)}` });
  if (!isTimeZone(w.timeZone))
    out.push({ path: at(base, 'timeZone'), reason: `${JSON.stringify(w.timeZone) ?? 'undefined'} is not an IANA time zone (e.g. America/Chicago)` });
  const holidays: number[] = [];
  if (w.holidays !== undefined) {
    if (!Array.isArray(w.holidays) || w.holidays.length > MAX_HOLIDAYS)
      out.push({ path: at(base, 'holidays'), reason: `must be a list of at most ${MAX_HOLIDAYS} dates (YYYY-MM-DD)` });
    else
      w.holidays.forEach((h, i) => {
        const day = typeof h === 'string' ? epochDay(h) : null;
        if (day === null) out.push({ path: `${at(base, 'holidays')}[${i}]`, reason: 'must be a date as YYYY-MM-DD' });
        else holidays.push(day);
      });
  }
  if (w.recipientTimeZone !== undefined && typeof w.recipientTimeZone !== 'boolean')
    out.push({ path: at(base, 'recipientTimeZone'), reason: 'must be true or false' });
  if (out.length > before) return false;
  const closed = closedWeek(w.days as number[], holidays);
  if (closed !== null) out.push({ path: base, reason: `never opens from ${closed.from} to ${closed.to}: the window must open at least once a week` });
  return out.length === before;
}
