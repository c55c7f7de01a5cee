// The first lead workflow version: persist, wait for a stop or expiry, record duplicate arrivals.
// Kept only so runs started before the pipeline existed (and their committed histories) replay
// exactly; new runs take the pipeline (see the `lead-pipeline-v1` patch in workflow.ts).
import { condition, log } from '@temporalio/workflow';
import { recordLeadEvent } from './activities.js';
import type { LeadOutcome } from './contract.js';
import type { LeadRunState } from './run-state.js';

export async function legacyWait(st: LeadRunState, waitMs: number): Promise<LeadOutcome> {
  const leadId = st.leadId;
  st.setStatus('waiting');
  await recordLeadEvent({ leadId, eventKey: 'status:waiting', type: 'status', detail: { status: 'waiting' }, status: 'waiting' });
  const deadline = Date.now() + waitMs;
  const recordArrivals = async () => {
    for (const arrival of st.pendingArrivals.splice(0)) {
      await recordLeadEvent({ leadId, eventKey: `arrival:${arrival.arrivalId}`, type: 'arrival', detail: { ...arrival } });
    }
  };
  for (;;) {
    await recordArrivals();
    const remaining = deadline - Date.now();
    if (remaining <= 0 || st.stop !== null) break;
    await condition(() => st.stop !== null || st.pendingArrivals.length > 0, remaining);
  }
  const stopped = st.stop;
  const finalStatus = stopped !== null ? 'stopped' : 'expired';
  st.setStatus(finalStatus);
  const detail = stopped !== null ? { status: finalStatus, reason: stopped.reason, by: stopped.by } : { status: finalStatus };
  await recordLeadEvent({ leadId, eventKey: `status:${finalStatus}`, type: 'status', detail, status: finalStatus });
  log.info('lead finished', { leadId, status: finalStatus });
  return { leadId, status: finalStatus, arrivals: st.seenArrivals.length };
}
