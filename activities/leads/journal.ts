// The lean lead path's one write per wait (workflows/lead/journal.ts): the timeline events the
// workflow gathered since its last wait, in one statement. Run as a local activity: short,
// idempotent (an event key is written once), so a retry after a crash converges on the same rows.
import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.js';
import { writeLeadJournal } from '../../db/index.js';
import type { InboxEvent } from '../../workflows/inbox/contract.js';
import type { RecordLeadEventArgs } from './index.js';

/**
 * An event as the workflow gathered it. Its row's occurred_at is the write's (the database's
 * clock, like every other writer of lead_events): workflow time runs behind the database's, and
 * mixing the two put a lead's `received` after its `enriched`. The batch keeps its own order.
 */
export type JournalEntry = RecordLeadEventArgs;

export interface JournalArgs {
  leadId: string;
  entries: JournalEntry[];
  inboxNotes: Array<{ inboxId: string; event: InboxEvent }>;
}

export function createJournalActivities(deps: { db: Kysely<Database> }) {
  async function recordLeadJournal(args: JournalArgs): Promise<{ inserted: number }> {
    // One statement for the whole batch (db/repositories/lead-journal.ts): events and final status.
    // args.inboxNotes (the "sent" the workflow gathered) is not sent from here: the send activity
    // already told the inbox (activities/send/ledger.ts, noteSent). This is a local activity, which
    // holds its lead's workflow task slot while it runs; waiting here for the inbox's update, which
    // needs a workflow task on the same worker, deadlocked a worker whose slots were all held so
    // (the emergency-stop test, 150 leads), and a signal fails the inbox's hand-over when it lands
    // during one. The one gap: a send made by a worker of an older build during an upgrade.
    const { inserted } = await writeLeadJournal(deps.db, args.entries);
    return { inserted };
  }
  return { recordLeadJournal };
}

export type JournalActivities = ReturnType<typeof createJournalActivities>;
