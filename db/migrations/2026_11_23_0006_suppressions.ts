/* eslint-disable @typescript-eslint/no-explicit-any -- migrations are frozen against Kysely<any>. */
// FROZEN: once released, never edit this file; add a new dated migration instead.
// Addresses we must never message again: hard bounces, spam complaints and unsubscribes. Keyed by
// the normalised address (lower-cased e-mail or E.164 phone), across every lead and campaign.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('suppressions')
    .addColumn('address', 'text', (col) => col.primaryKey())
    .addColumn('channel', 'text', (col) => col.notNull())
    // hard_bounce | complaint | unsubscribe | manual
    .addColumn('reason', 'text', (col) => col.notNull())
    .addColumn('lead_id', 'text')
    .addColumn('event_id', 'text')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('suppressions').execute();
}
