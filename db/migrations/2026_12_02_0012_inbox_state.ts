/* eslint-disable @typescript-eslint/no-explicit-any -- migrations are frozen against Kysely<any>. */
// FROZEN: once released, never edit this file; add a new dated migration instead.
// Each inbox workflow's latest figures (health and its inputs, today's limit and use, pause),
// saved by the workflow itself: the API's health page, the rotation that picks an inbox for a new
// lead and the send activity's last guard read them without querying a workflow.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('inbox_state')
    .addColumn('inbox_id', 'text', (c) => c.primaryKey())
    .addColumn('health', 'integer', (c) => c.notNull())
    .addColumn('daily_limit', 'integer', (c) => c.notNull())
    .addColumn('today', 'text', (c) => c.notNull())
    .addColumn('day_started_at', 'timestamptz', (c) => c.notNull())
    .addColumn('granted_today', 'integer', (c) => c.notNull())
    .addColumn('sent_today', 'integer', (c) => c.notNull())
    .addColumn('paused_until', 'timestamptz')
    .addColumn('paused', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('status', 'jsonb', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('inbox_state').execute();
}
