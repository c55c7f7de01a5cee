// The inbox workflows' latest figures, one row per inbox (migration 0012). Written only by the
// inbox workflow's activity; read by the API, the rotation and the send activity's last guard.
import { sql } from 'kysely';
import type { InboxStateRow } from '../schema.js';
import type { Db } from './leads.js';
import { jsonb } from './json.js';

export interface InboxStateInput {
  inboxId: string;
  health: number;
  dailyLimit: number;
  today: string;
  dayStartedAt: Date;
  grantedToday: number;
  sentToday: number;
  pausedUntil: Date | null;
  paused: boolean;
  /** The whole status as the workflow reports it (shown by GET /inboxes/:id/health). */
  status: object;
}

export async function saveInboxState(db: Db, s: InboxStateInput): Promise<void> {
  const values = {
    health: s.health,
    daily_limit: s.dailyLimit,
    today: s.today,
    day_started_at: s.dayStartedAt,
    granted_today: s.grantedToday,
    sent_today: s.sentToday,
    paused_until: s.pausedUntil,
    paused: s.paused,
    status: jsonb(s.status),
    updated_at: sql<Date>`now()`,
  };
  await db
    .insertInto('inbox_state')
    .values({ inbox_id: s.inboxId, ...values })
    .onConflict((oc) => oc.column('inbox_id').doUpdateSet(values))
    .execute();
}

export function getInboxState(db: Db, inboxId: string): Promise<InboxStateRow | undefined> {
  return db.selectFrom('inbox_state').selectAll().where('inbox_id', '=', inboxId).executeTakeFirst();
}

export function listInboxStates(db: Db, inboxIds: readonly string[]): Promise<InboxStateRow[]> {
  if (inboxIds.length === 0) return Promise.resolve([]);
  return db.selectFrom('inbox_state').selectAll().where('inbox_id', 'in', inboxIds).execute();
}

/** The channel of each registry inbox among `ids` (ids not in the registry are left out). */
export async function inboxChannels(db: Db, ids: readonly string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('inboxes').select(['id', 'channel']).where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [r.id, r.channel]));
}

/** The per-inbox guard lock's first key (the second is the inbox id's hash): "lfig". */
const INBOX_GUARD_LOCK = 0x6c666967;
const DAY_MS = 86_400_000;

/**
 * The send activity's last guard for an inbox, run inside the send gate's transaction right
 * before the row goes in flight: refused (with the reason) when the inbox is paused or today's
 * sends (sent or in flight) reached its limit. A cap checked only when slots are planned
 * overshoots (a health drop after planning, a stop that pushed yesterday's slots into today), so
 * this counts what really went out. The transaction-scoped lock per inbox makes the count and the
 * flip one step: two sends of one inbox cannot both take the last place.
 *
 * Two keys, because the figures and the messages are filed differently: the saved figures under
 * the inbox entity's key on the sending task queue (`stateKey`, see inboxEntityKey: `id@queue` off
 * the lead queue), the outbox rows under the plain inbox id. Counting rows under the entity key
 * found none off the lead queue, and the guard could never refuse there.
 */
export async function inboxSendRefusal(trx: Db, inbox: { inboxId: string; stateKey: string }, now: number): Promise<string | null> {
  const { inboxId, stateKey } = inbox;
  // Locked by what is counted: every send of this inbox's rows, whichever queue it runs on.
  await sql`select pg_advisory_xact_lock(${sql.lit(INBOX_GUARD_LOCK)}, hashtext(${inboxId}))`.execute(trx);
  const s = await getInboxState(trx, stateKey);
  if (s === undefined) return null;
  if (s.paused && (s.paused_until === null || s.paused_until.getTime() > now)) return `inbox ${inboxId} is paused`;
  if (now >= s.day_started_at.getTime() + DAY_MS) return null;
  const row = await trx
    .selectFrom('outbox')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('inbox_id', '=', inboxId)
    .where('updated_at', '>=', s.day_started_at)
    .where((eb) => eb.or([eb('status', '=', 'sent'), eb('in_flight', '=', true)]))
    .executeTakeFirst();
  const used = Number(row?.n ?? 0);
  return used >= s.daily_limit ? `inbox ${inboxId} reached today's limit of ${s.daily_limit} messages` : null;
}
