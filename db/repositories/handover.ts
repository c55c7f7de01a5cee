// Salespeople, round-robin routing and handover records.
import { sql } from 'kysely';
import type { HandoverRow, SalespersonRow } from '../schema.js';
import type { Db } from './leads.js';

export interface NewSalesperson {
  id: string;
  name: string;
  email: string;
  managerEmail: string | null;
  team: string | null;
}

export async function addSalesperson(db: Db, s: NewSalesperson): Promise<SalespersonRow> {
  return db
    .insertInto('salespeople')
    .values({ id: s.id, name: s.name, email: s.email.trim().toLowerCase(), manager_email: s.managerEmail?.trim().toLowerCase() ?? null, team: s.team })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export const listSalespeople = (db: Db): Promise<SalespersonRow[]> => db.selectFrom('salespeople').selectAll().orderBy('id').execute();
export const getSalesperson = (db: Db, id: string): Promise<SalespersonRow | undefined> =>
  db.selectFrom('salespeople').selectAll().where('id', '=', id).executeTakeFirst();

export async function setSalespersonAway(db: Db, id: string, away: boolean): Promise<SalespersonRow | undefined> {
  return db.updateTable('salespeople').set({ away }).where('id', '=', id).returningAll().executeTakeFirst();
}

export async function removeSalesperson(db: Db, id: string): Promise<boolean> {
  return (await db.deleteFrom('salespeople').where('id', '=', id).executeTakeFirst()).numDeletedRows > 0n;
}

/**
 * Round-robin within a scope (the lead's campaign or dealer): the reps of that team plus the
 * reps who take every lead, skipping those marked away. The cursor is one atomic counter per
 * scope, so two handovers at once never pick from the same position.
 */
export async function nextSalesperson(db: Db, scope: string): Promise<SalespersonRow | null> {
  const candidates = await db
    .selectFrom('salespeople')
    .selectAll()
    .where('away', '=', false)
    .where((eb) => eb.or([eb('team', '=', scope), eb('team', 'is', null)]))
    .orderBy('id')
    .execute();
  if (candidates.length === 0) return null;
  const row = await db
    .insertInto('routing_cursors')
    .values({ scope, counter: 1 })
    .onConflict((oc) => oc.column('scope').doUpdateSet({ counter: sql`routing_cursors.counter + 1` }))
    .returning('counter')
    .executeTakeFirstOrThrow();
  return candidates[(Number(row.counter) - 1) % candidates.length] ?? null;
}

/** Stores the acknowledgement token of a handover's dossier (the row exists: recordHandover ran first). */
export async function setHandoverAckToken(db: Db, id: string, token: string, expiresAt: Date): Promise<void> {
  await db.updateTable('handovers').set({ ack_token: token, ack_expires_at: expiresAt }).where('id', '=', id).execute();
}

export const findHandoverByAckToken = (db: Db, token: string): Promise<HandoverRow | undefined> =>
  db.selectFrom('handovers').selectAll().where('ack_token', '=', token).executeTakeFirst();

export const getHandover = (db: Db, id: string): Promise<HandoverRow | undefined> =>
  db.selectFrom('handovers').selectAll().where('id', '=', id).executeTakeFirst();

export async function saveHandover(
  db: Db,
  h: { id: string; leadId: string; salespersonId: string | null; status: string; escalations?: number; acknowledgedBy?: string | null },
): Promise<void> {
  const ack = h.acknowledgedBy !== undefined && h.acknowledgedBy !== null ? { acknowledged_by: h.acknowledgedBy, acknowledged_at: sql<Date>`now()` } : {};
  await db
    .insertInto('handovers')
    .values({ id: h.id, lead_id: h.leadId, salesperson_id: h.salespersonId, status: h.status, escalations: h.escalations ?? 0, ...ack })
    .onConflict((oc) =>
      oc.column('id').doUpdateSet({ salesperson_id: h.salespersonId, status: h.status, escalations: h.escalations ?? 0, updated_at: sql<Date>`now()`, ...ack }),
    )
    .execute();
}
