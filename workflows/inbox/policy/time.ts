// Calendar arithmetic in an IANA time zone, for send windows and per-day caps. Pure and
// deterministic (Intl with the worker's ICU data), so it runs inside workflow code.

export interface LocalTime {
  /** YYYY-MM-DD in the zone. */
  date: string;
  /** 0 = Sunday … 6 = Saturday. */
  weekday: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Whether `timeZone` is an IANA zone this runtime knows. */
export function isTimeZone(timeZone: string): boolean {
  if (typeof timeZone !== 'string' || timeZone === '' || timeZone.length > 64) return false;
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

export function localTime(t: number, timeZone: string): LocalTime {
  const parts: Record<string, string> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(t))) parts[p.type] = p.value;
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    weekday: WEEKDAYS[parts.weekday ?? ''] ?? 0,
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
  };
}

export const dayKey = (t: number, timeZone: string): string => localTime(t, timeZone).date;

const HOUR = 3_600_000;

/** The first instant of the next local day after `t` (DST-safe: re-checked against the calendar). */
export function startOfNextDay(t: number, timeZone: string): number {
  const lt = localTime(t, timeZone);
  const intoDay = ((lt.hour * 60 + lt.minute) * 60 + lt.second) * 1000 + (t % 1000);
  let next = t - intoDay + 24 * HOUR;
  // A DST change makes the day 23 or 25 hours long: step to the local midnight.
  for (let i = 0; i < 3; i++) {
    const n = localTime(next, timeZone);
    if (n.date === lt.date) next += HOUR;
    else if (n.hour !== 0 || n.minute !== 0) next -= (n.hour * 60 + n.minute) * 60_000;
    else break;
  }
  return next;
}

/** The start of the local day containing `t`. */
export function startOfDay(t: number, timeZone: string): number {
  const lt = localTime(t, timeZone);
  return t - (((lt.hour * 60 + lt.minute) * 60 + lt.second) * 1000 + (t % 1000));
}
