/* eslint-disable @typescript-eslint/no-explicit-any -- migrations are frozen against Kysely<any>. */
// FROZEN: once released, never edit this file; add a new dated migration instead.
// The RFC 5322 Message-ID each outbound e-mail carries, so an inbound reply, bounce or complaint
// (In-Reply-To, References, the DSN's returned headers) finds its lead and step.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('outbox').addColumn('message_id', 'text').execute();
  await db.schema.createIndex('outbox_message_id_idx').on('outbox').column('message_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('outbox_message_id_idx').execute();
  await db.schema.alterTable('outbox').dropColumn('message_id').execute();
}
