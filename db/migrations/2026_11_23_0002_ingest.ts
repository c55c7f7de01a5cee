/* eslint-disable @typescript-eslint/no-explicit-any -- migrations are frozen against Kysely<any>. */
// FROZEN: once released, never edit this file; add a new dated migration instead.
// Ingest: quarantined inputs (never lose a lead), IMAP checkpoints, and API keys.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('quarantine')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('source', 'text', (col) => col.notNull())
    .addColumn('source_ref', 'text')
    .addColumn('mailbox', 'text')
    .addColumn('uid_validity', 'text')
    .addColumn('uid', 'bigint')
    .addColumn('content_type', 'text')
    .addColumn('raw', 'bytea', (col) => col.notNull())
    .addColumn('reason', 'text', (col) => col.notNull())
    .addColumn('error_code', 'text')
    .addColumn('status', 'text', (col) => col.notNull().defaultTo('open'))
    .addColumn('retries', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('lead_ids', 'jsonb', (col) => col.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('received_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  // One quarantine row per mailbox message, however often the watcher re-reads it.
  await sql`create unique index quarantine_mail_uidx on quarantine (mailbox, uid_validity, uid) where mailbox is not null`.execute(db);
  await db.schema.createIndex('quarantine_status_idx').on('quarantine').columns(['status', 'created_at']).execute();

  await db.schema
    .createTable('mailbox_checkpoints')
    .addColumn('mailbox_id', 'text', (col) => col.primaryKey())
    .addColumn('uid_validity', 'text', (col) => col.notNull())
    .addColumn('last_uid', 'bigint', (col) => col.notNull())
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('api_keys')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('secret_hash', 'text', (col) => col.notNull().unique())
    .addColumn('scopes', 'jsonb', (col) => col.notNull())
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('last_used_at', 'timestamptz')
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('api_keys').execute();
  await db.schema.dropTable('mailbox_checkpoints').execute();
  await db.schema.dropTable('quarantine').execute();
}
