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
