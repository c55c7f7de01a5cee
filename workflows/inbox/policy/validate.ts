// Checks an inbox policy (whole, or a partial one merged onto a base) and names the first field
// that is wrong, so the API answers 400 with that name and nothing is stored. Pure: the API, the
// CLI and the workflow's updatePolicy validator all use it.
import type { InboxPolicy, SendWindow } from '../contract.js';
import { isTimeZone } from './time.js';
import { nextOpen } from './window.js';

export type PolicyCheck = { ok: true; policy: InboxPolicy } | { ok: false; field: string; message: string };

type Fail = { field: string; message: string };
const fail = (field: string, message: string): Fail => ({ field, message });

function int(v: unknown, field: string, min: number, max: number): Fail | null {
  return Number.isInteger(v) && (v as number) >= min && (v as number) <= max ? null : fail(field, `${field} must be a whole number from ${min} to ${max}`);
}

const POLICY_KEYS = ['ramp', 'dailyCap', 'minGapSeconds', 'jitterSeconds', 'window', 'healthWindowDays', 'healthMinSample', 'softBounceRetryHours'];
const WINDOW_KEYS = ['days', 'startHour', 'endHour', 'timeZone', 'holidays', 'recipientTimeZone'];

function checkWindow(w: SendWindow, now: number): Fail | null {
  const unknown = Object.keys(w).find((k) => !WINDOW_KEYS.includes(k));
  if (unknown !== undefined) return fail(`window.${unknown}`, `window.${unknown} is not a window setting (one of ${WINDOW_KEYS.join(', ')})`);
  if (!Array.isArray(w.days) || w.days.length === 0) return fail('window.days', 'window.days must list at least one weekday (0 = Sunday … 6 = Saturday)');
  for (const [i, d] of w.days.entries()) {
    const bad = int(d, `window.days[${i}]`, 0, 6);
    if (bad) return bad;
  }
  if (new Set(w.days).size !== w.days.length) return fail('window.days', 'window.days lists a weekday twice');
  const start = int(w.startHour, 'window.startHour', 0, 23) ?? int(w.endHour, 'window.endHour', 1, 24);
  if (start) return start;
  if (w.endHour <= w.startHour) return fail('window.endHour', 'window.endHour must be after window.startHour: this window never opens');
  if (!isTimeZone(w.timeZone)) return fail('window.timeZone', `window.timeZone ${JSON.stringify(w.timeZone)} is not an IANA time zone (e.g. America/Chicago)`);
  if (!Array.isArray(w.holidays) || w.holidays.length > 400) return fail('window.holidays', 'window.holidays must be a list of at most 400 dates');
  for (const [i, h] of w.holidays.entries()) {
    if (typeof h !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(h) || Number.isNaN(Date.parse(`${h}T00:00:00Z`)))
      return fail(`window.holidays[${i}]`, `window.holidays[${i}] must be a date as YYYY-MM-DD`);
  }
  if (typeof w.recipientTimeZone !== 'boolean') return fail('window.recipientTimeZone', 'window.recipientTimeZone must be true or false');
  if (nextOpen(w, now) === null) return fail('window', 'this window never opens in the next 60 days (check days, hours and holidays)');
  return null;
}

/** `input` is merged onto `base` (PATCH); unknown keys and bad values are refused with their field name. */
export function checkPolicy(input: unknown, base: InboxPolicy, now: number): PolicyCheck {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) return { ok: false, ...fail('policy', 'policy must be an object') };
  const raw = input as Record<string, unknown>;
  const unknown = Object.keys(raw).find((k) => !POLICY_KEYS.includes(k));
  if (unknown !== undefined) return { ok: false, ...fail(unknown, `${unknown} is not an inbox setting (one of ${POLICY_KEYS.join(', ')})`) };
  const window = raw.window === undefined ? base.window : raw.window === null ? null : ({ ...(base.window ?? {}), ...raw.window } as SendWindow);
  const p = { ...base, ...raw, window };
  const bad =
    (!Array.isArray(p.ramp) || p.ramp.length > 52 ? fail('ramp', 'ramp must be a list of at most 52 weekly limits') : null) ??
    p.ramp.map((v, i) => int(v, `ramp[${i}]`, 1, 100_000)).find((x) => x !== null) ??
    int(p.dailyCap, 'dailyCap', 1, 100_000) ??
    int(p.minGapSeconds, 'minGapSeconds', 0, 86_400) ??
    int(p.jitterSeconds, 'jitterSeconds', 0, 86_400) ??
    int(p.healthWindowDays, 'healthWindowDays', 1, 90) ??
    int(p.healthMinSample, 'healthMinSample', 1, 100_000) ??
    int(p.softBounceRetryHours, 'softBounceRetryHours', 1, 168) ??
    (p.window !== null && (typeof p.window !== 'object' || Array.isArray(p.window)) ? fail('window', 'window must be an object or null') : null) ??
    (p.window !== null ? checkWindow(p.window, now) : null);
  return bad ? { ok: false, ...bad } : { ok: true, policy: p };
}
