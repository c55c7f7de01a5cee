/* eslint-disable @typescript-eslint/no-explicit-any -- migrations are frozen against
   Kysely<any>: typing them with today's Database would let a later schema edit change
   (or break) what this already-applied migration does. */
// FROZEN: once released, never edit this file; add a new dated migration instead.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('leads')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('source', 'text', (col) => col.notNull())
    .addColumn('external_id', 'text')
    .addColumn('campaign_id', 'text')
    .addColumn('first_name', 'text')
    .addColumn('last_name', 'text')
    .addColumn('email', 'text')
    .addColumn('phone', 'text')
    .addColumn('status', 'text', (col) => col.notNull().defaultTo('new'))
    .addColumn('tier', 'text')
    .addColumn('payload', 'jsonb', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('lead_events')
    .addColumn('id', 'bigserial', (col) => col.primaryKey())
    .addColumn('lead_id', 'text', (col) => col.notNull().references('leads.id').onDelete('cascade'))
    .addColumn('event_key', 'text', (col) => col.notNull())
    .addColumn('type', 'text', (col) => col.notNull())
    .addColumn('detail', 'jsonb', (col) => col.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('occurred_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    // An activity retried after a crash re-sends the same key; this makes the retry a no-op.
    .addUniqueConstraint('lead_events_lead_id_event_key_key', ['lead_id', 'event_key'])
    .execute();

  await db.schema.createIndex('leads_status_idx').on('leads').column('status').execute();
  await db.schema.createIndex('leads_campaign_id_idx').on('leads').column('campaign_id').execute();
  await db.schema.createIndex('lead_events_lead_id_occurred_at_idx').on('lead_events').columns(['lead_id', 'occurred_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('lead_events').execute();
  await db.schema.dropTable('leads').execute();
}
