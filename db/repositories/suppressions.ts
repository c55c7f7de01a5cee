// The suppression list: once an address bounced hard, complained or unsubscribed, no lead and no
// campaign may message it again until an operator removes it.
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database, SuppressionReleaseRow, SuppressionRow } from '../schema.js';
import type { Db } from './leads.js';

export interface SuppressionInput {
  address: string;
  channel: 'email' | 'sms';
  reason: 'hard_bounce' | 'complaint' | 'unsubscribe' | 'manual';
  leadId: string | null;
  eventId: string | null;
}

/** E-mail addresses compare case-insensitively in practice; phones are stored as E.164 already. */
export const normaliseAddress = (address: string): string => address.trim().toLowerCase();

/** Adds the address once; the first reason recorded is kept. */
export async function addSuppression(db: Db, s: SuppressionInput): Promise<{ inserted: boolean }> {
  const row = await db
    .insertInto('suppressions')
    .values({ address: normaliseAddress(s.address), channel: s.channel, reason: s.reason, lead_id: s.leadId, event_id: s.eventId })
    .onConflict((oc) => oc.column('address').doNothing())
    .returning('address')
    .executeTakeFirst();
  return { inserted: row !== undefined };
}

export function findSuppression(db: Db, address: string): Promise<SuppressionRow | undefined> {
  return db.selectFrom('suppressions').selectAll().where('address', '=', normaliseAddress(address)).executeTakeFirst();
}

export function listSuppressions(db: Db, q: { limit: number; offset: number; address?: string | undefined }): Promise<SuppressionRow[]> {
  let query = db.selectFrom('suppressions').selectAll();
  if (q.address !== undefined) query = query.where('address', '=', normaliseAddress(q.address));
  return query.orderBy('created_at', 'desc').orderBy('address').limit(q.limit).offset(q.offset).execute();
}

export async function removeSuppression(db: Db, address: string): Promise<boolean> {
  const res = await db.deleteFrom('suppressions').where('address', '=', normaliseAddress(address)).executeTakeFirst();
  return res.numDeletedRows > 0n;
}

export function getSuppression(db: Db, id: string): Promise<SuppressionRow | undefined> {
  return db.selectFrom('suppressions').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Adds an address by hand; the existing row when it is already suppressed. */
export async function addManualSuppression(
  db: Db,
  s: { address: string; channel: 'email' | 'sms'; reason: string },
): Promise<{ row: SuppressionRow; inserted: boolean }> {
  const inserted = await db
    .insertInto('suppressions')
    .values({ address: normaliseAddress(s.address), channel: s.channel, reason: s.reason, lead_id: null, event_id: null })
    .onConflict((oc) => oc.column('address').doNothing())
    .returningAll()
    .executeTakeFirst();
  if (inserted !== undefined) return { row: inserted, inserted: true };
  return { row: (await findSuppression(db, s.address))!, inserted: false };
}

/**
 * Releases a suppressed address: the row goes (so the ledger's check before each send lets mail
 * through again) and the release is kept with its reason, atomically.
 */
export async function releaseSuppression(db: Kysely<Database>, id: string, r: { reason: string; by: string }): Promise<SuppressionReleaseRow | undefined> {
  return db.transaction().execute(async (tx) => {
    const gone = await tx.deleteFrom('suppressions').where('id', '=', id).returningAll().executeTakeFirst();
    if (gone === undefined) return undefined;
    return tx
      .insertInto('suppression_releases')
      .values({
        id: randomUUID(),
        address: gone.address,
        channel: gone.channel,
        suppressed_reason: gone.reason,
        suppressed_at: gone.created_at,
        reason: r.reason,
        released_by: r.by,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  });
}

export function listSuppressionReleases(db: Db, q: { limit: number; offset: number }): Promise<SuppressionReleaseRow[]> {
  return db.selectFrom('suppression_releases').selectAll().orderBy('released_at', 'desc').limit(q.limit).offset(q.offset).execute();
}
