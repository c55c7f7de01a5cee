// The suppression list: once an address bounced hard, complained or unsubscribed, no lead and no
// campaign may message it again until an operator removes it.
import type { SuppressionRow } from '../schema.js';
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

export function listSuppressions(db: Db, q: { limit: number; offset: number }): Promise<SuppressionRow[]> {
  return db.selectFrom('suppressions').selectAll().orderBy('created_at', 'desc').orderBy('address').limit(q.limit).offset(q.offset).execute();
}

export async function removeSuppression(db: Db, address: string): Promise<boolean> {
  const res = await db.deleteFrom('suppressions').where('address', '=', normaliseAddress(address)).executeTakeFirst();
  return res.numDeletedRows > 0n;
}
