/* eslint-disable @typescript-eslint/no-explicit-any -- migrations are frozen against Kysely<any>. */
// FROZEN: once released, never edit this file; add a new dated migration instead.
// Today's deliveries, bounces, complaints and replies (GET /stats, the per-inbox gauges read at
// every scrape) select lead_events by type and time; the only index was (lead_id, occurred_at),
// so each read scanned the whole timeline table, the largest one there is.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('lead_events_type_occurred_at_idx').on('lead_events').columns(['type', 'occurred_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('lead_events_type_occurred_at_idx').execute();
}
