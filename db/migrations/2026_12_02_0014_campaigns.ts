/* eslint-disable @typescript-eslint/no-explicit-any -- migrations are frozen against Kysely<any>. */
// FROZEN: once released, never edit this file; add a new dated migration instead.
// Campaigns: the definition (validated whole before it is stored, kept as JSON with a version
// that PATCH bumps), its status (the pause/cancel flag every slot grant and send gate reads for
// the campaign's leads), the prospects imported into it (one row each, in import order: `seq` is
// the fan-out cursor) and the imports themselves (idempotent by key or by content hash, with the
// per-row error report kept for the operator). The outbox gains the campaign and A/B variant of
// each message, so the funnel per step and variant is counted from what was actually sent.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('campaigns')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('spec', 'jsonb', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    // draft → running ⇄ paused → cancelling → cancelled, or running → finished.
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('draft'))
    .addColumn('status_reason', 'text')
    .addColumn('status_by', 'text')
    .addColumn('status_at', 'timestamptz')
    .addColumn('totals', 'jsonb')
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('started_at', 'timestamptz')
    .addColumn('finished_at', 'timestamptz')
    .execute();

  await db.schema
    .createTable('campaign_imports')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('campaign_id', 'text', (c) => c.notNull().references('campaigns.id'))
    .addColumn('idempotency_key', 'text')
    .addColumn('content_sha256', 'text', (c) => c.notNull())
    .addColumn('rows', 'integer', (c) => c.notNull())
    .addColumn('accepted', 'integer', (c) => c.notNull())
    // [{ row, field, reason }]: every refused row, for the operator to fix and re-import.
    .addColumn('invalid', 'jsonb', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createIndex('campaign_imports_key')
    .on('campaign_imports')
    .columns(['campaign_id', 'idempotency_key'])
    .unique()
    .where(sql.ref('idempotency_key'), 'is not', null)
    .execute();
  await db.schema.createIndex('campaign_imports_content').on('campaign_imports').columns(['campaign_id', 'content_sha256']).execute();

  await db.schema
    .createTable('campaign_prospects')
    .addColumn('seq', 'bigserial', (c) => c.primaryKey())
    .addColumn('campaign_id', 'text', (c) => c.notNull().references('campaigns.id'))
    .addColumn('import_id', 'text', (c) => c.notNull().references('campaign_imports.id'))
    .addColumn('row_number', 'integer', (c) => c.notNull())
    .addColumn('email', 'text')
    .addColumn('email_norm', 'text')
    .addColumn('phone', 'text')
    .addColumn('first_name', 'text')
    .addColumn('last_name', 'text')
    .addColumn('company', 'text')
    .addColumn('fields', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    // pending → started (lead_id set) | skipped (skip_reason set).
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending'))
    .addColumn('lead_id', 'text')
    .addColumn('skip_reason', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('started_at', 'timestamptz')
    .execute();
  // A person is in a campaign once: by e-mail, or by phone when there is no e-mail.
  await db.schema
    .createIndex('campaign_prospects_email')
    .on('campaign_prospects')
    .columns(['campaign_id', 'email_norm'])
    .unique()
    .where(sql.ref('email_norm'), 'is not', null)
    .execute();
  await db.schema
    .createIndex('campaign_prospects_phone')
    .on('campaign_prospects')
    .columns(['campaign_id', 'phone'])
    .unique()
    .where(sql<boolean>`email_norm is null and phone is not null`)
    .execute();
  await db.schema.createIndex('campaign_prospects_cursor').on('campaign_prospects').columns(['campaign_id', 'status', 'seq']).execute();
  await db.schema.createIndex('campaign_prospects_lead').on('campaign_prospects').column('lead_id').execute();

  await db.schema.alterTable('outbox').addColumn('campaign_id', 'text').execute();
  await db.schema.alterTable('outbox').addColumn('variant', 'text').execute();
  await db.schema
    .createIndex('outbox_campaign')
    .on('outbox')
    .columns(['campaign_id', 'step', 'variant'])
    .where(sql.ref('campaign_id'), 'is not', null)
    .execute();
  await db.schema.createIndex('leads_campaign').on('leads').columns(['campaign_id', 'status']).where(sql.ref('campaign_id'), 'is not', null).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('leads_campaign').execute();
  await db.schema.dropIndex('outbox_campaign').execute();
  await db.schema.alterTable('outbox').dropColumn('variant').execute();
  await db.schema.alterTable('outbox').dropColumn('campaign_id').execute();
  await db.schema.dropTable('campaign_prospects').execute();
  await db.schema.dropTable('campaign_imports').execute();
  await db.schema.dropTable('campaigns').execute();
}
