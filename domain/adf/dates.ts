// Request dates and timeframe dates. ADF asks for ISO 8601 with an offset; real feeds send
// "2026-03-14T10:42", "2026-03-14 10:42:17" or "03/14/2026 10:42 AM".
//
// Timezone policy: a date without an offset is read as UTC. Dealers' feeds usually mean the
// store's local time, but the store's zone is not in the document, and guessing it from the
// address or the server would make the same document parse differently in different places.
// UTC is deterministic and at most a few hours off; consumers that know the rooftop's zone can
// reinterpret it.

const ISO = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
const US = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AP]M)?)?$/i;

interface Parts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  ms: number;
  offsetMinutes: number;
}

function offsetMinutes(zone: string | undefined): number | null {
  if (zone === undefined || zone.toUpperCase() === 'Z') return 0;
  const m = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone);
  if (!m) return null;
  const hours = Number(m[2]);
  const minutes = Number(m[3] ?? '0');
  if (hours > 14 || minutes > 59) return null;
  return (m[1] === '-' ? -1 : 1) * (hours * 60 + minutes);
}

function fromIso(text: string): Parts | null {
  const m = ISO.exec(text);
  if (!m) return null;
  const offset = offsetMinutes(m[8]);
  if (offset === null) return null;
  return {
    year: Number(m[1]),
    month: Number(m[2]),
    day: Number(m[3]),
    hour: Number(m[4] ?? 0),
    minute: Number(m[5] ?? 0),
    second: Number(m[6] ?? 0),
    ms: Number((m[7] ?? '0').slice(0, 3).padEnd(3, '0')),
    offsetMinutes: offset,
  };
}

function fromUs(text: string): Parts | null {
  const m = US.exec(text);
  if (!m) return null;
  let hour = Number(m[4] ?? 0);
  const meridiem = m[7]?.toUpperCase();
  if (meridiem !== undefined) {
    if (hour < 1 || hour > 12) return null;
    hour = (hour % 12) + (meridiem === 'PM' ? 12 : 0);
  }
  return { year: Number(m[3]), month: Number(m[1]), day: Number(m[2]), hour, minute: Number(m[5] ?? 0), second: Number(m[6] ?? 0), ms: 0, offsetMinutes: 0 };
}

function toIso(p: Parts): string | null {
  // Range checks first: Date.UTC would silently roll "02-30" over into March.
  if (p.year < 1900 || p.month < 1 || p.month > 12 || p.day < 1 || p.hour > 23 || p.minute > 59 || p.second > 59) return null;
  const daysInMonth = new Date(Date.UTC(p.year, p.month, 0)).getUTCDate();
  if (p.day > daysInMonth) return null;
  const ms = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second, p.ms) - p.offsetMinutes * 60_000;
  const date = new Date(ms);
  if (Number.isNaN(date.getTime())) return null;
  const iso = date.toISOString();
  return iso.length === 24 ? iso : null; // an offset pushing 9999-12-31 into year +010000
}

/** ISO-8601 UTC with milliseconds, or null when the text is not a recognisable date. */
export function parseAdfDate(raw: string | null): string | null {
  if (raw === null) return null;
  const text = raw.trim();
  const parts = fromIso(text) ?? fromUs(text);
  return parts ? toIso(parts) : null;
}
