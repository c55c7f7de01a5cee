/* eslint-disable @typescript-eslint/no-explicit-any -- migrations are frozen against Kysely<any>. */
// FROZEN: once released, never edit this file; add a new dated migration instead.
// Short link tokens: the one-click unsubscribe token a message carries (24 characters, the same
// for every message to one lead's address) is stored with the message, and a handover's
// acknowledgement token with its expiry. A link then names a row instead of carrying the lead id
// and address in its URL, so every link stays short, opaque and valid.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('outbox').addColumn('unsubscribe_token', 'text').execute();
  await db.schema.createIndex('outbox_unsubscribe_token_idx').on('outbox').column('unsubscribe_token').execute();
  await db.schema.alterTable('handovers').addColumn('ack_token', 'text').execute();
  await db.schema.alterTable('handovers').addColumn('ack_expires_at', 'timestamptz').execute();
  await db.schema.createIndex('handovers_ack_token_idx').on('handovers').column('ack_token').unique().execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('handovers_ack_token_idx').execute();
  await db.schema.alterTable('handovers').dropColumn('ack_expires_at').execute();
  await db.schema.alterTable('handovers').dropColumn('ack_token').execute();
  await db.schema.dropIndex('outbox_unsubscribe_token_idx').execute();
  await db.schema.alterTable('outbox').dropColumn('unsubscribe_token').execute();
}
