// The inbox registry: sending identities with their policy, connection settings and sealed
// secrets. Every change moves `updated_at`, which is what per-inbox transport caches key on.
import { sql } from 'kysely';
import type { InboxRow, JsonbInput } from '../schema.js';
import { jsonb } from './json.js';
import type { Db } from './leads.js';

export interface NewInbox {
  id: string;
  kind: 'smtp' | 'sendgrid' | 'sms';
  channel: 'email' | 'sms';
  address: string;
  displayName: string | null;
  policy: JsonbInput;
  settings: JsonbInput;
  secretsEnc: string | null;
  verifiedAt: Date;
}

export interface InboxChange {
  displayName?: string | null;
  address?: string;
  policy?: JsonbInput;
  settings?: JsonbInput;
  secretsEnc?: string | null;
  verifiedAt?: Date;
}

/** Inserts the inbox; undefined when the id is taken (nothing changed). */
export async function insertInbox(db: Db, i: NewInbox): Promise<InboxRow | undefined> {
  return db
    .insertInto('inboxes')
    .values({
      id: i.id,
      kind: i.kind,
      channel: i.channel,
      address: i.address,
      display_name: i.displayName,
      policy: jsonb(i.policy),
      settings: jsonb(i.settings),
      secrets_enc: i.secretsEnc,
      status: 'active',
      verified_at: i.verifiedAt,
    })
    .onConflict((oc) => oc.column('id').doNothing())
    .returningAll()
    .executeTakeFirst();
}

export function getInbox(db: Db, id: string): Promise<InboxRow | undefined> {
  return db.selectFrom('inboxes').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Only the freshness stamp: how a transport cache learns it is stale without reading secrets. */
export async function inboxUpdatedAt(db: Db, id: string): Promise<Date | undefined> {
  const row = await db.selectFrom('inboxes').select('updated_at').where('id', '=', id).executeTakeFirst();
  return row?.updated_at;
}

export function listInboxes(db: Db, q: { kind?: string; limit: number; offset: number }): Promise<InboxRow[]> {
  let query = db.selectFrom('inboxes').selectAll();
  if (q.kind !== undefined) query = query.where('kind', '=', q.kind);
  return query.orderBy('created_at').orderBy('id').limit(q.limit).offset(q.offset).execute();
}

/** Applies the change; `expectedUpdatedAt` makes it a compare-and-set (two PATCHes cannot lose one). */
export async function updateInbox(db: Db, id: string, c: InboxChange, expectedUpdatedAt?: Date): Promise<InboxRow | undefined> {
  let query = db
    .updateTable('inboxes')
    .set({
      ...(c.displayName !== undefined && { display_name: c.displayName }),
      ...(c.address !== undefined && { address: c.address }),
      ...(c.policy !== undefined && { policy: jsonb(c.policy) }),
      ...(c.settings !== undefined && { settings: jsonb(c.settings) }),
      ...(c.secretsEnc !== undefined && { secrets_enc: c.secretsEnc }),
      ...(c.verifiedAt !== undefined && { verified_at: c.verifiedAt }),
      // clock_timestamp, not now(): two changes in one transaction still get distinct stamps.
      updated_at: sql<Date>`clock_timestamp()`,
    })
    .where('id', '=', id);
  // Compared at millisecond precision: the stamp went through a JS Date on its way to the caller.
  if (expectedUpdatedAt !== undefined) query = query.where(sql`date_trunc('milliseconds', updated_at)`, '=', expectedUpdatedAt);
  return query.returningAll().executeTakeFirst();
}

/** Registry inboxes that watch an IMAP mailbox for replies (one mailbox watcher each). */
export function listImapInboxes(db: Db): Promise<InboxRow[]> {
  return db
    .selectFrom('inboxes')
    .selectAll()
    .where('kind', '=', 'smtp')
    .where('status', '=', 'active')
    .where(sql<boolean>`settings ? 'imap'`)
    .orderBy('id')
    .execute();
}
