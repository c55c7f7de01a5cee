// A lead whose stop came with its start ends as soon as it is stored. A deferred campaign lead is
// woken by a campaign's cancel or an operator's stop through signal-with-start (temporal/
// campaign-leads.ts): its first workflow task carries the stop. Before this patch the lead ran
// its enrichment (an MX lookup, and a paid verifier's call when one is configured) and its scoring
// first, then met the stop at the sequence's first turn: a cancel of 10,000 deferred leads paid
// for 10,000 enrichments of leads it was ending. Histories recorded before the patch replay
// through the old path (no marker: patched() answers false).
import { patched } from '@temporalio/workflow';
import type { LeadOutcome, StopRequest } from './contract.js';
import { recordArrivals } from './events.js';
import { endLead } from './journal.js';
import type { LeadRunState } from './run-state.js';

export const STOP_BEFORE_START_PATCH = 'lead-stop-before-start-v1';

/**
 * Asked in the first workflow task, before its first activity (a patch asked for after a local
 * activity can land in another task than on replay: workflow.ts, primePatches). The signals sent
 * with the start are delivered when the run state installs its handlers, so the stop is known
 * here. A provider event sent with the start (never in practice) keeps the full path, which
 * handles it before the stop.
 */
export function stopBeforeStart(st: LeadRunState): StopRequest | null {
  return st.stop !== null && st.events.length === 0 && patched(STOP_BEFORE_START_PATCH) ? st.stop : null;
}

/** Records what arrived and the stop, and ends: nothing was enriched or sent. */
export async function endStoppedEarly(st: LeadRunState, stop: StopRequest): Promise<LeadOutcome> {
  await recordArrivals(st);
  return endLead(st, 'stopped', { reason: stop.reason, by: stop.by, beforeStart: true }, 0);
}
