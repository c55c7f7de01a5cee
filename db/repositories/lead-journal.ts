// The lead journal's write (activities/leads/journal.ts): a batch of timeline events and the
// lead's resulting status, as ONE statement. The lean path writes a batch at each wait; written
// event by event inside a transaction it cost BEGIN, an INSERT per event, an UPDATE per status
// and COMMIT (12 round trips per lead to its first message, counted in issue 15's profile run,
// where socket writes to PostgreSQL were the main thread's largest cost). One statement is
// atomic by itself: a data-modifying CTE inserts the events and updates the lead together.
import { sql } from 'kysely';
import { jsonb } from './json.js';
import type { Db, RecordLeadEvent } from './leads.js';

export interface JournalRow extends Omit<RecordLeadEvent, 'occurredAt'> {
  /** The lead's status after this event (undefined: unchanged). */
  status?: string | undefined;
  /** With a status: the tier after it (undefined: unchanged; null clears it). */
  tier?: string | null | undefined;
}

/** The status and tier each lead ends with, as applying the rows in order would leave them. */
export function finalStatuses(rows: readonly JournalRow[]): Map<string, { status: string; tier?: string | null }> {
  const out = new Map<string, { status: string; tier?: string | null }>();
  for (const r of rows) {
    if (r.status === undefined) continue; // a tier without a status is not applied (as setLeadStatus is only called with one)
    const prev = out.get(r.leadId);
    const tier = r.tier !== undefined ? r.tier : prev?.tier;
    out.set(r.leadId, { status: r.status, ...(tier !== undefined && { tier }) });
  }
  return out;
}

/**
 * Inserts the events (a repeated (lead, event key), in the batch or already stored, is a no-op; the
 * batch keeps its order in the ids) and sets each lead's final status, in one statement. Returns
 * how many events were new. occurred_at is the database's now() for all, as one transaction had it.
 */
export async function writeLeadJournal(db: Db, rows: readonly JournalRow[]): Promise<{ inserted: number }> {
  const seen = new Set<string>();
  const events = rows.filter((r) => {
    const k = JSON.stringify([r.leadId, r.eventKey]);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  if (events.length === 0) return { inserted: 0 };
  const statuses = [...finalStatuses(rows)];
  let q = db.with('ins', (d) =>
    d
      .insertInto('lead_events')
      .values(events.map((e) => ({ lead_id: e.leadId, event_key: e.eventKey, type: e.type, detail: jsonb(e.detail ?? {}) })))
      .onConflict((oc) => oc.columns(['lead_id', 'event_key']).doNothing())
      .returning('id'),
  );
  // PostgreSQL runs every data-modifying CTE whether or not the query reads it.
  statuses.forEach(([leadId, s], i) => {
    q = q.with(`status_${i}`, (d) =>
      d
        .updateTable('leads')
        .set({ status: s.status, ...(s.tier !== undefined && { tier: s.tier }), updated_at: sql<Date>`now()` })
        .where('id', '=', leadId)
        .returning('id'),
    ) as unknown as typeof q;
  });
  const row = await q
    .selectFrom('ins')
    .select((eb) => eb.fn.countAll<string>().as('inserted'))
    .executeTakeFirstOrThrow();
  return { inserted: Number(row.inserted) };
}
