/* eslint-disable @typescript-eslint/no-explicit-any -- migrations are frozen against Kysely<any>. */
// FROZEN: once released, never edit this file; add a new dated migration instead.
// The global emergency stop: one row (id = 1) every send reads right before its provider call,
// under a shared advisory lock (see db/repositories/control.ts), plus the throttled ramp that
// follows a resume. The audit log gains a free-form `detail` so a stop's reason and its start and
// end can be recorded with the actor rather than squeezed into `target`.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('sending_control')
    .addColumn('id', 'smallint', (col) => col.primaryKey().defaultTo(1))
    .addColumn('stopped', 'boolean', (col) => col.notNull().defaultTo(false))
    .addColumn('reason', 'text')
    .addColumn('stopped_by', 'text')
    .addColumn('stopped_at', 'timestamptz')
    .addColumn('resumed_by', 'text')
    .addColumn('resumed_at', 'timestamptz')
    // { initialPerMinute, doublingEveryMinutes, maxPerMinute } of the last resume.
    .addColumn('ramp', 'jsonb')
    .addColumn('ramp_started_at', 'timestamptz')
    // The last permit handed out while the ramp limits sends.
    .addColumn('ramp_cursor', 'timestamptz')
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('sending_control_one_row', sql`id = 1`)
    .execute();
  await sql`insert into sending_control (id) values (1)`.execute(db);
  await db.schema.alterTable('audit_log').addColumn('detail', 'jsonb').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('audit_log').dropColumn('detail').execute();
  await db.schema.dropTable('sending_control').execute();
}
