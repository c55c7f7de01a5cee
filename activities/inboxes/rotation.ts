// Which inbox takes a lead's first message: of the inboxes the lead may use (its campaign's or
// dealer's set, else the implicit inbox of the channel), the one with the most room left today,
// then the best health. Paused inboxes are skipped; when all are paused the lead waits, visibly,
// rather than jumping to an inbox nobody chose for it. Reads the figures the inbox workflows save.
import type { Kysely } from 'kysely';
import { listInboxStates, type Database, type InboxStateRow } from '../../db/index.js';
import { IMPLICIT_EMAIL_INBOX, IMPLICIT_SMS_INBOX } from '../../domain/inboxes/types.js';

/** The open inboxes, best first; or why the lead must wait. */
export type Choice = { kind: 'inboxes'; ranked: string[] } | { kind: 'wait'; reason: string; retryAt: number };

/** A paused set is looked at again after this long at most (an operator may resume early). */
export const ALL_PAUSED_RECHECK_MS = 30 * 60_000;
const DAY_MS = 86_400_000;

export const implicitInbox = (channel: 'email' | 'sms'): string => (channel === 'sms' ? IMPLICIT_SMS_INBOX : IMPLICIT_EMAIL_INBOX);

function pausedUntil(s: InboxStateRow | undefined, now: number): number | null | 'no' {
  if (s === undefined || !s.paused) return 'no';
  if (s.paused_until === null) return null;
  return s.paused_until.getTime() > now ? s.paused_until.getTime() : 'no';
}

/** Room left today; an inbox that has not reported yet (never used) counts as wide open. */
function remaining(s: InboxStateRow | undefined, now: number): number {
  if (s === undefined) return Number.MAX_SAFE_INTEGER;
  if (now >= s.day_started_at.getTime() + DAY_MS) return s.daily_limit;
  return Math.max(0, s.daily_limit - s.granted_today);
}

export async function chooseInbox(
  db: Kysely<Database>,
  candidates: readonly string[] | null,
  channel: 'email' | 'sms',
  now: number,
  key: (inboxId: string) => string,
): Promise<Choice> {
  const ids = candidates !== null && candidates.length > 0 ? [...new Set(candidates)] : [implicitInbox(channel)];
  // One inbox: nothing to choose; the inbox itself answers (paused or not) with no stale read.
  if (ids.length === 1) return { kind: 'inboxes', ranked: ids };
  const byKey = new Map((await listInboxStates(db, ids.map(key))).map((s) => [s.inbox_id, s]));
  const states = new Map(ids.map((id) => [id, byKey.get(key(id))] as const).filter((e): e is [string, InboxStateRow] => e[1] !== undefined));
  const open = ids.filter((id) => pausedUntil(states.get(id), now) === 'no');
  if (open.length === 0) {
    const ends = ids.map((id) => pausedUntil(states.get(id), now)).filter((u): u is number => typeof u === 'number');
    const reasons = ids.map((id) => {
      const u = pausedUntil(states.get(id), now);
      return `${id} (${typeof u === 'number' ? `until ${new Date(u).toISOString()}` : 'until resumed'})`;
    });
    return { kind: 'wait', reason: `every inbox of this lead is paused: ${reasons.join(', ')}`, retryAt: Math.min(now + ALL_PAUSED_RECHECK_MS, ...ends) };
  }
  open.sort((a, b) => {
    const [sa, sb] = [states.get(a), states.get(b)];
    return remaining(sb, now) - remaining(sa, now) || (sb?.health ?? 100) - (sa?.health ?? 100) || a.localeCompare(b);
  });
  return { kind: 'inboxes', ranked: open };
}
