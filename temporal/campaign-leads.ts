// Client-side starts of campaign leads, for the campaign's fan-out activity. Unlike an inbound
// arrival (signal-with-start, temporal/lead-client.ts) a prospect is started exactly once: a plain
// start under its fixed opaque ID that refuses any earlier run of that ID, open or closed, so a
// page rerun after a crash finds the leads it had started ("already started" is success) and a
// lead that has already finished is never started again.
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { LEAD_TASK_QUEUE, LEAD_WORKFLOW_TYPE, leadKey, type LeadInput } from '../workflows/lead/contract.js';
import { CampaignIdKey, LeadSourceKey, LeadStatusKey } from '../workflows/search-attributes.js';
import { nextOpen } from '../workflows/inbox/policy/window.js';
import { startOfDay, startOfNextDay } from '../workflows/inbox/policy/time.js';
import type { CampaignWindow } from '../domain/campaigns/spec.js';
import { opaqueLeadId } from './lead-ids.js';
import { validateLeadInput } from './lead-validation.js';

/** The lead ID a campaign prospect gets: the opaque hash of campaign + e-mail (or phone). */
export const campaignLeadId = (secret: string, input: LeadInput): string => opaqueLeadId(secret, leadKey(input));

/** Starts the prospect's lead workflow; `fresh: false` when it had been started before. */
export async function startCampaignLead(
  client: Client,
  input: LeadInput,
  opts: { leadId: string; taskQueue?: string },
): Promise<{ leadId: string; fresh: boolean }> {
  validateLeadInput(input);
  try {
    await client.workflow.start(LEAD_WORKFLOW_TYPE, {
      workflowId: opts.leadId,
      taskQueue: opts.taskQueue ?? LEAD_TASK_QUEUE,
      args: [input],
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      typedSearchAttributes: [
        { key: LeadStatusKey, value: 'received' },
        { key: LeadSourceKey, value: input.source },
        ...(input.campaignId !== null ? [{ key: CampaignIdKey, value: input.campaignId }] : []),
      ],
    });
    return { leadId: opts.leadId, fresh: true };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return { leadId: opts.leadId, fresh: false };
    throw err;
  }
}

/** The first instant at or after `at` when the campaign's window is open (null: not within 60 days). */
export function campaignWindowOpensAt(w: CampaignWindow, at: number, recipientTimeZone: string | null): number | null {
  return nextOpen({ holidays: [], recipientTimeZone: true, ...w }, at, recipientTimeZone);
}

/** The local day around `at` in `timeZone` (the daily cap of new leads counts per local day). */
export function startOfLocalDay(at: number, timeZone: string): { start: number; next: number } {
  return { start: startOfDay(at, timeZone), next: startOfNextDay(at, timeZone) };
}
