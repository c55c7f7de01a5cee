/* eslint-disable @typescript-eslint/no-explicit-any -- migrations are frozen against Kysely<any>. */
// FROZEN: once released, never edit this file; add a new dated migration instead.
// The inbox registry: one row per sending identity (an SMTP/IMAP mailbox, a SendGrid sender, an
// SMS number). Non-secret connection settings are plain jsonb; secrets are one encrypted blob
// (or named environment variables inside the settings), never a readable column. The ledger
// records which inbox sent each message. Suppressions get a surrogate id so an operator can
// release one by id (an address in a URL would end up in access logs and the audit trail), and
// every release is kept with its reason.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('inboxes')
    .addColumn('id', 'text', (col) => col.primaryKey())
    // smtp | sendgrid | sms
    .addColumn('kind', 'text', (col) => col.notNull())
    // email | sms
    .addColumn('channel', 'text', (col) => col.notNull())
    // The From address, or the E.164 number / Messaging Service SID.
    .addColumn('address', 'text', (col) => col.notNull())
    .addColumn('display_name', 'text')
    .addColumn('policy', 'jsonb', (col) => col.notNull())
    .addColumn('settings', 'jsonb', (col) => col.notNull())
    .addColumn('secrets_enc', 'text')
    .addColumn('status', 'text', (col) => col.notNull().defaultTo('active'))
    .addColumn('verified_at', 'timestamptz')
    // Day 0 of the warm-up ramp and of the inbox's age.
    .addColumn('created_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.alterTable('outbox').addColumn('inbox_id', 'text').execute();
  await db.schema.createIndex('outbox_inbox_id_idx').on('outbox').columns(['inbox_id', 'created_at']).execute();

  await db.schema
    .alterTable('suppressions')
    .addColumn('id', 'uuid', (col) => col.notNull().defaultTo(sql`gen_random_uuid()`))
    .execute();
  await db.schema.createIndex('suppressions_id_idx').on('suppressions').column('id').unique().execute();
  await db.schema
    .createTable('suppression_releases')
    .addColumn('id', 'uuid', (col) => col.primaryKey())
    .addColumn('address', 'text', (col) => col.notNull())
    .addColumn('channel', 'text', (col) => col.notNull())
    // Why the address had been suppressed, and why it was released (and by whom).
    .addColumn('suppressed_reason', 'text', (col) => col.notNull())
    .addColumn('suppressed_at', 'timestamptz', (col) => col.notNull())
    .addColumn('reason', 'text', (col) => col.notNull())
    .addColumn('released_by', 'text', (col) => col.notNull())
    .addColumn('released_at', 'timestamptz', (col) => col.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('suppression_releases').execute();
  await db.schema.dropIndex('suppressions_id_idx').execute();
  await db.schema.alterTable('suppressions').dropColumn('id').execute();
  await db.schema.dropIndex('outbox_inbox_id_idx').execute();
  await db.schema.alterTable('outbox').dropColumn('inbox_id').execute();
  await db.schema.dropTable('inboxes').execute();
}
