/* eslint-disable @typescript-eslint/no-explicit-any -- migrations are frozen against Kysely<any>. */
// FROZEN: once released, never edit this file; add a new dated migration instead.
// The outbox ledger: one row per message the workflows decide to send, keyed by the idempotency
// key the workflow derives (lead + step). A row is claimed before any provider call.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('outbox')
    .addColumn('idempotency_key', 'text', (col) => col.primaryKey())
    .addColumn('lead_id', 'text', (col) => col.notNull())
    .addColumn('step', 'integer', (col) => col.notNull())
    .addColumn('channel', 'text', (col) => col.notNull())
    .addColumn('provider', 'text', (col) => col.notNull())
    .addColumn('recipient', 'text', (col) => col.notNull())
    .addColumn('subject', 'text')
    .addColumn('body', 'text', (col) => col.notNull())
    // pending → sent | failed (permanent refusal) | uncertain (a call whose outcome was lost)
    .addColumn('status', 'text', (col) => col.notNull().defaultTo('pending'))
    // True from just before a provider call until its definitive answer is recorded.
    .addColumn('in_flight', 'boolean', (col) => col.notNull().defaultTo(false))
    .addColumn('attempts', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('provider_message_id', 'text')
    .addColumn('error_code', 'text')
    .addColumn('error', 'text')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('sent_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('outbox_lead_idx').on('outbox').columns(['lead_id', 'step']).execute();
  await db.schema.createIndex('outbox_status_idx').on('outbox').columns(['status', 'updated_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('outbox').execute();
}
