// Small checks shared by the campaign validators. Each appends to a problem list instead of
// throwing, so a campaign is validated whole and the operator sees every mistake at once.

export interface Problem {
  /** Where, as a JSON-ish path: `steps[1].variants[0].body`, `window.timeZone`. */
  path: string;
  reason: string;
}

export type Problems = Problem[];

export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export const at = (base: string, key: string): string => (base === '' ? key : `${base}.${key}`);

/** Every key not in `allowed` is named: an unknown field is a typo, never silently dropped. */
export function refuseUnknown(out: Problems, obj: Record<string, unknown>, allowed: readonly string[], base: string): void {
  for (const k of Object.keys(obj)) {
    if (!allowed.includes(k)) out.push({ path: at(base, k), reason: `unknown field "${k}" (allowed: ${allowed.join(', ')})` });
  }
}

export function nonEmptyString(out: Problems, v: unknown, path: string, max: number): v is string {
  if (typeof v !== 'string' || v.trim() === '') {
    out.push({ path, reason: v === undefined ? 'required' : 'must be a non-empty string' });
    return false;
  }
  if (v.length > max) {
    out.push({ path, reason: `is ${v.length} characters, over ${max}` });
    return false;
  }
  return true;
}

const MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000, y: 31_557_600_000 };
const UNIT: Array<[RegExp, keyof typeof MS]> = [
  [/^(milliseconds?|msecs?|ms)$/, 'ms'],
  [/^(seconds?|secs?|s)$/, 's'],
  [/^(minutes?|mins?|m)$/, 'm'],
  [/^(hours?|hrs?|h)$/, 'h'],
  [/^(days?|d)$/, 'd'],
  [/^(weeks?|w)$/, 'w'],
  [/^(years?|yrs?|y)$/, 'y'],
];

/**
 * Milliseconds of a Temporal duration string, or null when Temporal would refuse it. The grammar
 * of the `ms` package that Temporal's msToNumber uses (domain/ may not import Temporal; a unit
 * test holds the two equal), plus the lead workflow's rule that a delay is not negative.
 */
export function parseDuration(v: string): number | null {
  if (v.length === 0 || v.length > 100) return null;
  const m = /^(-?(?:\d+)?\.?\d+) *([a-z]+)?$/i.exec(v);
  if (m === null) return null;
  const unit = (m[2] ?? 'ms').toLowerCase();
  const key = UNIT.find(([re]) => re.test(unit))?.[1];
  if (key === undefined) return null;
  const ms = Number.parseFloat(m[1] ?? '') * (MS[key] ?? Number.NaN);
  return Number.isFinite(ms) && ms >= 0 ? ms : null;
}

/** A duration string ("2 days", "90 minutes"); returns its milliseconds when valid. */
export function duration(out: Problems, v: unknown, path: string, opts: { positive?: boolean } = {}): number | null {
  const ms = typeof v === 'string' ? parseDuration(v) : null;
  if (ms === null) {
    out.push({ path, reason: `${JSON.stringify(v) ?? 'undefined'} is not a duration (a string such as "2 days", "4 hours", "90 minutes"; not negative)` });
    return null;
  }
  if (opts.positive === true && ms === 0) {
    out.push({ path, reason: 'must be longer than zero' });
    return null;
  }
  return ms;
}

/** One zone check for the domain: domain/time-zone.ts. */
export { isTimeZone } from '../time-zone.js';

export const isInt = (v: unknown, min: number, max: number): v is number => Number.isInteger(v) && (v as number) >= min && (v as number) <= max;
