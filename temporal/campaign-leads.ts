// Client-side starts of campaign leads, for the campaign's fan-out activity. Unlike an inbound
// arrival (signal-with-start, temporal/lead-client.ts) a prospect is started exactly once: a plain
// start under its fixed opaque ID that refuses any earlier run of that ID, open or closed, so a
// page rerun after a crash finds the leads it had started ("already started" is success) and a
// lead that has already finished is never started again.
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { SignalDefinition } from '@temporalio/common';
import { LEAD_TASK_QUEUE, LEAD_WORKFLOW_TYPE, leadKey, stopSignal, type LeadInput, type StopRequest } from '../workflows/lead/contract.js';
import type { leadWorkflowV2 } from '../workflows/lead/workflow.js';
import { nextOpen } from '../workflows/inbox/policy/window.js';
import { startOfDay, startOfNextDay } from '../workflows/inbox/policy/time.js';
import type { CampaignWindow } from '../domain/campaigns/spec.js';
import { opaqueLeadId } from './lead-ids.js';
import { leadSearchAttributes } from './lead-client.js';
import { validateLeadInput } from './lead-validation.js';

/** The lead ID a campaign prospect gets: the opaque hash of campaign + e-mail (or phone). */
export const campaignLeadId = (secret: string, input: LeadInput): string => opaqueLeadId(secret, leadKey(input));

/** Starts the prospect's lead workflow; `fresh: false` when it had been started before. */
export async function startCampaignLead(
  client: Client,
  input: LeadInput,
  opts: { leadId: string; taskQueue?: string; startDelayMs?: number },
): Promise<{ leadId: string; fresh: boolean }> {
  validateLeadInput(input);
  const deferred = (opts.startDelayMs ?? 0) > 0;
  try {
    await client.workflow.start(LEAD_WORKFLOW_TYPE, {
      workflowId: opts.leadId,
      taskQueue: opts.taskQueue ?? LEAD_TASK_QUEUE,
      args: [input],
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      // Deferred: the server writes the start and no workflow task until the delay ends.
      ...(deferred && { startDelay: opts.startDelayMs }),
      typedSearchAttributes: leadSearchAttributes(input, deferred ? 'scheduled' : 'received'),
    });
    return { leadId: opts.leadId, fresh: true };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return { leadId: opts.leadId, fresh: false };
    throw err;
  }
}

/**
 * Signals a campaign lead that may still be deferred. A plain signal to a deferred workflow waits
 * with it until its delay ends; a signal-with-start dispatches its first workflow task at once, so
 * the lead acts on it now (a stop ends it, a pause shows it paused). The input is the lead's own
 * (the prospect's): the start half only applies if no run of the ID ever existed, and
 * REJECT_DUPLICATE refuses a closed one, which is answered `false` (nothing left to signal).
 */
export async function signalCampaignLead<Arg>(
  client: Client,
  input: LeadInput,
  opts: { leadId: string; taskQueue?: string | undefined; signal: SignalDefinition<[Arg]>; arg: Arg },
): Promise<boolean> {
  try {
    await client.workflow.signalWithStart<typeof leadWorkflowV2, [Arg]>(LEAD_WORKFLOW_TYPE, {
      workflowId: opts.leadId,
      taskQueue: opts.taskQueue ?? LEAD_TASK_QUEUE,
      args: [input],
      signal: opts.signal,
      signalArgs: [opts.arg],
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      typedSearchAttributes: leadSearchAttributes(input, 'received'),
    });
    return true;
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return false;
    throw err;
  }
}

/** Stops a campaign lead, waking it if it is still deferred (the cancel sweep's call). */
export const stopCampaignLead = (client: Client, input: LeadInput, opts: { leadId: string; taskQueue?: string; stop: StopRequest }): Promise<boolean> =>
  signalCampaignLead(client, input, { leadId: opts.leadId, taskQueue: opts.taskQueue, signal: stopSignal, arg: opts.stop });

/** The first instant at or after `at` when the campaign's window is open (null: not within 60 days). */
export function campaignWindowOpensAt(w: CampaignWindow, at: number, recipientTimeZone: string | null): number | null {
  return nextOpen({ holidays: [], recipientTimeZone: true, ...w }, at, recipientTimeZone);
}

/** The local day around `at` in `timeZone` (the daily cap of new leads counts per local day). */
export function startOfLocalDay(at: number, timeZone: string): { start: number; next: number } {
  return { start: startOfDay(at, timeZone), next: startOfNextDay(at, timeZone) };
}
