/* eslint-disable @typescript-eslint/no-explicit-any -- migrations are frozen against Kysely<any>. */
// FROZEN: once released, never edit this file; add a new dated migration instead.
// Handover to people: salespeople (with their manager, team and away flag), a round-robin cursor
// per routing scope, and one row per handover with its acknowledgement and escalations.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('salespeople')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('email', 'text', (col) => col.notNull().unique())
    .addColumn('manager_email', 'text')
    // The dealer or campaign the rep takes leads for; null takes every lead.
    .addColumn('team', 'text')
    .addColumn('away', 'boolean', (col) => col.notNull().defaultTo(false))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createTable('routing_cursors')
    .addColumn('scope', 'text', (col) => col.primaryKey())
    .addColumn('counter', 'bigint', (col) => col.notNull().defaultTo(0))
    .execute();
  await db.schema
    .createTable('handovers')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('lead_id', 'text', (col) => col.notNull())
    .addColumn('salesperson_id', 'text')
    // assigned → acknowledged | escalated | unacknowledged | unassigned
    .addColumn('status', 'text', (col) => col.notNull())
    .addColumn('escalations', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('acknowledged_by', 'text')
    .addColumn('acknowledged_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('handovers_lead_idx').on('handovers').column('lead_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('handovers').execute();
  await db.schema.dropTable('routing_cursors').execute();
  await db.schema.dropTable('salespeople').execute();
}
