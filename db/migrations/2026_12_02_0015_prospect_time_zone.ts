/* eslint-disable @typescript-eslint/no-explicit-any -- migrations are frozen against Kysely<any>. */
// FROZEN: once released, never edit this file; add a new dated migration instead.
// A prospect's own time zone (a `timezone`/`tz` column of the list), so its lead's sending windows
// open in the recipient's hours rather than the inbox's. Null when the list gave none.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('campaign_prospects').addColumn('time_zone', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('campaign_prospects').dropColumn('time_zone').execute();
}
