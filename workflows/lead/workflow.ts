// One lead, one workflow. This first version proves the pipe end to end: persist the lead,
// keep its search attributes current, absorb duplicate arrivals, and wait for a person to stop
// it or for its waiting window to run out. Later steps (enrich, score, draft, send) grow here.
import { ApplicationFailure, condition, log, proxyActivities, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { Duration } from '@temporalio/common';
import { msToNumber } from '@temporalio/common/lib/time.js';
import type { createLeadActivities } from '../../activities/leads/index.js';
import { CampaignIdKey, LeadSourceKey, LeadStatusKey } from '../search-attributes.js';
import {
  arrivedSignal, stateQuery, stopSignal,
  type LeadArrival, type LeadInput, type LeadOutcome, type LeadState, type LeadStatus, type StopRequest,
} from './contract.js';

// DB writes are fast and idempotent; retry them patiently so a DB blip never loses a lead.
const { persistLead, recordLeadEvent } = proxyActivities<ReturnType<typeof createLeadActivities>>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', nonRetryableErrorTypes: ['InvalidLeadError'] },
});

export const DEFAULT_WAIT = '30 days';

export async function leadWorkflow(input: LeadInput): Promise<LeadOutcome> {
  const leadId = workflowInfo().workflowId;
  let status: LeadStatus = 'received';
  let stop: StopRequest | null = null;
  const seenArrivals: string[] = [];
  const pendingArrivals: LeadArrival[] = [];

  // Handlers first, before any await, so no signal sent with the start is missed.
  setHandler(stopSignal, (req) => {
    stop ??= req;
  });
  setHandler(arrivedSignal, (arrival) => {
    if (!seenArrivals.includes(arrival.arrivalId)) {
      seenArrivals.push(arrival.arrivalId);
      pendingArrivals.push(arrival);
    }
  });
  setHandler(stateQuery, (): LeadState => ({ leadId, status, arrivals: seenArrivals.length, stop }));

  // Read through a function: TypeScript cannot see that signal handlers assign `stop`.
  const currentStop = (): StopRequest | null => stop;
  const setStatus = (next: LeadStatus) => {
    status = next;
    upsertSearchAttributes([{ key: LeadStatusKey, value: next }]);
  };

  upsertSearchAttributes([
    { key: LeadStatusKey, value: status },
    { key: LeadSourceKey, value: input.source },
    ...(input.campaignId !== null ? [{ key: CampaignIdKey, value: input.campaignId }] : []),
  ]);
  await persistLead({ leadId, input, status });
  setStatus('waiting');
  await recordLeadEvent({ leadId, eventKey: 'status:waiting', type: 'status', detail: { status: 'waiting' }, status: 'waiting' });

  const deadline = Date.now() + toMs(input.waitFor ?? DEFAULT_WAIT);
  // Drain arrivals before deciding to stop: a resend that came with the stop is still recorded.
  const recordArrivals = async () => {
    for (const arrival of pendingArrivals.splice(0)) {
      await recordLeadEvent({ leadId, eventKey: `arrival:${arrival.arrivalId}`, type: 'arrival', detail: { ...arrival } });
    }
  };
  for (;;) {
    await recordArrivals();
    const remaining = deadline - Date.now();
    if (remaining <= 0 || currentStop() !== null) break;
    await condition(() => currentStop() !== null || pendingArrivals.length > 0, remaining);
  }

  const finalStatus = stop !== null ? 'stopped' : 'expired';
  setStatus(finalStatus);
  const stopped = currentStop();
  const detail = stopped !== null ? { status: finalStatus, reason: stopped.reason, by: stopped.by } : { status: finalStatus };
  await recordLeadEvent({ leadId, eventKey: `status:${finalStatus}`, type: 'status', detail, status: finalStatus });
  log.info('lead finished', { leadId, status: finalStatus });
  return { leadId, status: finalStatus, arrivals: seenArrivals.length };
}

function toMs(d: Duration): number {
  try {
    return msToNumber(d);
  } catch (err) {
    // Bad input is the caller's mistake: fail the workflow visibly instead of retrying a task forever.
    throw ApplicationFailure.nonRetryable(`invalid waitFor duration ${JSON.stringify(d)}: ${(err as Error).message}`, 'InvalidLeadError');
  }
}
