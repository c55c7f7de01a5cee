// Where the lead's timeline events go. Runs before the lean path (LEAN_PATH_PATCH) wrote each
// event with an activity of its own: 7 of the 13 activities up to a first message, each a
// workflow task and a server round trip. A lean run gathers them in the workflow, in order,
// and writes them in one local activity at the next wait (a timer,
// a signal, the end, a continue-as-new, a handover): no round trip, no workflow task of its own,
// and the lead's stored view is current whenever the lead is not busy. The inbox's note of a
// send rides along. Replay: a run's choice is made once (patched() at its start) and carried over
// continue-as-new, so old runs keep their activities and old histories replay as recorded.
import { log, proxyLocalActivities } from '@temporalio/workflow';
import type { JournalActivities } from '../../activities/leads/journal.js';
import type { RecordLeadEventArgs } from '../../activities/leads/index.js';
import type { InboxEvent } from '../inbox/contract.js';
import { noteInboxEvent, recordLeadEvent } from './activities.js';
import type { FinalLeadStatus, LeadOutcome } from './contract.js';
import type { LeadRunState } from './run-state.js';
import { hasPatch } from './version.js';

export const LEAN_PATH_PATCH = 'lead-lean-path-v1';

// Like the DB activities: short, idempotent, retried patiently (a long retry becomes a timer).
const { recordLeadJournal } = proxyLocalActivities<JournalActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** A new run's choice (a marker in its history); a continued run takes its carry's. */
export const chooseLean = (): boolean => hasPatch(LEAN_PATH_PATCH);

/**
 * Records a timeline event: at once (older runs: the activity comes back, to be awaited) or at the
 * next wait (lean runs: gathered, nothing to wait for). The lead's every-run path awaits only what
 * comes back (`const w = record(…); if (w) await w`): each promise a workflow makes runs the SDK's
 * stack-trace hook (about 0.1 ms of CPU), and an `await` of nothing still makes two.
 */
export function record(st: LeadRunState, event: RecordLeadEventArgs): Promise<unknown> | undefined {
  if (!st.lean) return recordLeadEvent(event);
  st.journal.push(event);
  return undefined;
}

/** Tells the inbox about a send: at once (older runs, awaited like `record`'s) or with the next journal write. */
export function noteInbox(st: LeadRunState, note: { inboxId: string; event: InboxEvent }): Promise<unknown> | undefined {
  if (!st.lean) return noteInboxEvent(note);
  st.inboxNotes.push(note);
  return undefined;
}

/** Writes what was gathered (the local activity, to await); a no-op for older runs and when nothing is pending. */
export function flush(st: LeadRunState): Promise<unknown> {
  st.flushAttributes();
  if (!st.lean || (st.journal.length === 0 && st.inboxNotes.length === 0)) return Promise.resolve();
  const entries = st.journal.splice(0);
  const inboxNotes = st.inboxNotes.splice(0);
  return recordLeadJournal({ leadId: st.leadId, entries, inboxNotes });
}

/** The end of every run: the final status, its timeline event, the journal written, the outcome. */
export async function endLead(st: LeadRunState, status: FinalLeadStatus, detail: Record<string, unknown>, stepsSent: number): Promise<LeadOutcome> {
  st.setStatus(status);
  st.note('status', { status });
  const written = record(st, { leadId: st.leadId, eventKey: `status:${status}`, type: 'status', detail: { status, ...detail }, status });
  if (written) await written;
  await flush(st);
  log.info('lead finished', { leadId: st.leadId, status, stepsSent });
  return { leadId: st.leadId, status, arrivals: st.seenArrivals.length, stepsSent };
}
