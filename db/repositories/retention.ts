// Retention clean-up (docs/backup.md#retention): each call deletes at most `limit` rows of one kind
// older than `before`, so a long backlog is removed in short transactions that never hold locks on
// a busy table for long. What is never deleted is decided here, in the WHERE clauses:
// - quarantine: only `resolved` rows (re-ingested into a lead); an open row may be the only copy
//   of a lead's e-mail and stays until a person resolves it.
// - provider_events: only events of leads no longer active (or naming no lead); an active lead's
//   events are its send evidence (outbox settlement) and its campaign's funnel.
// The outbox ledger, suppressions and their releases, API keys, leads and their timelines, the
// audit log and the mailbox checkpoints are not touched at all.
import { sql } from 'kysely';
import type { Db } from './leads.js';
import { ACTIVE_LEAD_STATUSES } from './leads.js';

export const RETENTION_KINDS = ['resolvedQuarantine', 'providerEvents'] as const;
export type RetentionKind = (typeof RETENTION_KINDS)[number];

/** Deletes up to `limit` rows of `kind` older than `before`; returns how many went. */
export async function purgeRetentionBatch(db: Db, kind: RetentionKind, before: Date, limit: number): Promise<number> {
  if (kind === 'resolvedQuarantine') {
    const res = await db
      .deleteFrom('quarantine')
      .where('id', 'in', (eb) => eb.selectFrom('quarantine').select('id').where('status', '=', 'resolved').where('updated_at', '<', before).limit(limit))
      .executeTakeFirst();
    return Number(res.numDeletedRows);
  }
  // provider_events has a composite key; a row-value IN keeps the batch to one index-driven delete.
  const { numAffectedRows } = await sql`
    delete from provider_events where (provider, event_id) in (
      select p.provider, p.event_id from provider_events p
      where p.received_at < ${before}
        and (p.lead_id is null or not exists (
          select 1 from leads l where l.id = p.lead_id and l.status in (${sql.join([...ACTIVE_LEAD_STATUSES])})))
      limit ${limit})`.execute(db);
  return Number(numAffectedRows ?? 0n);
}
