// The lean lead path's one write per wait (workflows/lead/journal.ts): the timeline events the
// workflow gathered since its last wait, in one statement, and what the lead's inbox must hear
// (a send it counts). Run as a local activity: short, idempotent (an event key is written once;
// an inbox event is keyed by its id), so a retry after a crash converges on the same rows.
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

export function createJournalActivities(deps: { db: Kysely<Database>; noteInboxEvent: (req: { inboxId: string; event: InboxEvent }) => Promise<void> }) {
  async function recordLeadJournal(args: JournalArgs): Promise<{ inserted: number }> {
    // One statement for the whole batch (db/repositories/lead-journal.ts): events and final status.
    const { inserted } = await writeLeadJournal(deps.db, args.entries);
    // After the commit: the inbox hears of a send only once the timeline says it happened.
    for (const note of args.inboxNotes) await deps.noteInboxEvent(note);
    return { inserted };
  }
  return { recordLeadJournal };
}

export type JournalActivities = ReturnType<typeof createJournalActivities>;
