// How soon a prospect means to buy, from the ADF <timeframe>: its dates when it has them, else
// the words in its description. Pure: `now` comes from the caller (workflow time).

export type Urgency = 'week' | 'month';

export interface TimeframeVerdict {
  urgency: Urgency | null;
  detail: string;
}

const DAY_MS = 86_400_000;

// Said by people who want the car now. Checked before the month words so "asap this month" is urgent.
const WEEK_WORDS =
  /\b(asap|a\.s\.a\.p|as soon as possible|immediately|right away|urgent(ly)?|today|tonight|tomorrow|this week(end)?|next (few|couple( of)?) days|(in|within) (a|one|1) week|right now)\b/i;
const MONTH_WORDS = /\b(this month|next week|(in|within) (a|one|1) month|(next )?(couple|few) (of )?weeks|30 days)\b/i;
// "within 10 days", "in 2 weeks", "3 months": a number and a unit.
const COUNTED = /\b(\d{1,3})\s*(day|week|month)s?\b/i;
const UNIT_DAYS: Readonly<Record<string, number>> = { day: 1, week: 7, month: 30 };

function byDays(days: number): Urgency | null {
  if (days <= 7) return 'week';
  if (days <= 30) return 'month';
  return null;
}

function fromText(full: string): TimeframeVerdict | null {
  // Feeds put whole sentences here; the first line or so carries the timeframe, and a short
  // quote keeps the operator-facing detail readable.
  const text = full.length > 80 ? `${full.slice(0, 77)}...` : full;
  const counted = COUNTED.exec(text);
  if (counted !== null) {
    const days = Number(counted[1]) * (UNIT_DAYS[(counted[2] ?? '').toLowerCase()] ?? Infinity);
    return { urgency: byDays(days), detail: `timeframe "${text}" is about ${days} days` };
  }
  if (WEEK_WORDS.test(text)) return { urgency: 'week', detail: `timeframe "${text}" reads as within a week` };
  if (MONTH_WORDS.test(text)) return { urgency: 'month', detail: `timeframe "${text}" reads as within a month` };
  return null;
}

function parse(iso: string | null): number | null {
  if (iso === null) return null;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : ms;
}

/**
 * The purchase window is [earliest, latest] (either end may stand for both). A window that has
 * already closed earns nothing; an open one counts from its start (0 days if it has begun).
 * Dates win over words because a form's date picker is more precise than free text.
 */
export function classifyTimeframe(
  timeframe: { description: string | null; earliestDate: string | null; latestDate: string | null } | null,
  now: Date,
): TimeframeVerdict {
  if (timeframe === null) return { urgency: null, detail: 'no timeframe given' };
  const earliest = parse(timeframe.earliestDate);
  const latest = parse(timeframe.latestDate);
  const start = earliest ?? latest;
  const end = latest ?? earliest;
  if (start !== null && end !== null) {
    const nowMs = now.getTime();
    if (end < nowMs - DAY_MS) return { urgency: null, detail: 'timeframe has already passed' };
    const days = Math.max(0, Math.ceil((start - nowMs) / DAY_MS));
    return { urgency: byDays(days), detail: days === 0 ? 'purchase window is open now' : `purchase window opens in ${days} days` };
  }
  const text = timeframe.description?.trim() ?? '';
  if (text !== '') return fromText(text) ?? { urgency: null, detail: `timeframe "${text}" is not urgent` };
  return { urgency: null, detail: 'no timeframe given' };
}
