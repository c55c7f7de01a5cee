// The last IMAP UID processed per mailbox: the durable copy of the watcher's heartbeat, so even a
// brand-new watcher run (or a reset workflow) resumes where processing stopped.
import { sql } from 'kysely';
import type { Db } from './leads.js';

export interface StoredCheckpoint {
  uidValidity: string;
  lastUid: number;
}

export async function getMailboxCheckpoint(db: Db, mailboxId: string): Promise<StoredCheckpoint | null> {
  const row = await db.selectFrom('mailbox_checkpoints').select(['uid_validity', 'last_uid']).where('mailbox_id', '=', mailboxId).executeTakeFirst();
  return row === undefined ? null : { uidValidity: row.uid_validity, lastUid: Number(row.last_uid) };
}

/** Only moves forward within one UIDVALIDITY; a new UIDVALIDITY replaces the checkpoint. */
export async function saveMailboxCheckpoint(db: Db, mailboxId: string, cp: StoredCheckpoint): Promise<void> {
  await db
    .insertInto('mailbox_checkpoints')
    .values({ mailbox_id: mailboxId, uid_validity: cp.uidValidity, last_uid: cp.lastUid })
    .onConflict((oc) =>
      oc.column('mailbox_id').doUpdateSet((eb) => ({
        uid_validity: eb.ref('excluded.uid_validity'),
        last_uid: sql<string>`case when mailbox_checkpoints.uid_validity = excluded.uid_validity
        then greatest(mailbox_checkpoints.last_uid, excluded.last_uid) else excluded.last_uid end`,
        updated_at: new Date(),
      })),
    )
    .execute();
}
