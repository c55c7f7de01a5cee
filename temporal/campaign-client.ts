// Client-side entry to campaign workflows, for the API and the CLI. The campaign's status in the
// database is what every lead obeys; these calls start the campaign's own workflow and tell it
// about a change, and are safe to repeat (a start that finds the workflow running is success).
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import {
  CAMPAIGN_WORKFLOW_TYPE,
  campaignCancelSignal,
  campaignPauseSignal,
  campaignResumeSignal,
  campaignStateQuery,
  campaignWorkflowId,
  prospectsAddedSignal,
  type CampaignRunState,
  type CampaignWorkflowInput,
} from '../workflows/campaign/contract.js';
import { LEAD_TASK_QUEUE } from '../workflows/lead/contract.js';
import { CampaignIdKey } from '../workflows/search-attributes.js';

export type CampaignWorkflowOptions = Omit<CampaignWorkflowInput, 'campaignId' | 'carry'> & { taskQueue?: string };

/** Starts the campaign's workflow; `fresh: false` when it already ran (a repeated start). */
export async function startCampaignWorkflow(client: Client, campaignId: string, opts: CampaignWorkflowOptions = {}): Promise<{ fresh: boolean }> {
  const { taskQueue, ...settings } = opts;
  try {
    await client.workflow.start(CAMPAIGN_WORKFLOW_TYPE, {
      workflowId: campaignWorkflowId(campaignId),
      taskQueue: taskQueue ?? LEAD_TASK_QUEUE,
      args: [{ campaignId, ...settings } satisfies CampaignWorkflowInput],
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      typedSearchAttributes: [{ key: CampaignIdKey, value: campaignId }],
    });
    return { fresh: true };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return { fresh: false };
    throw err;
  }
}

const handle = (client: Client, campaignId: string) => client.workflow.getHandle(campaignWorkflowId(campaignId));

/** Tells a running campaign workflow; a finished (or never started) one has nothing to hear. */
async function tell(fn: () => Promise<void>): Promise<boolean> {
  try {
    await fn();
    return true;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}

export const signalCampaignPause = (client: Client, campaignId: string, by: string) =>
  tell(() => handle(client, campaignId).signal(campaignPauseSignal, { by }));
export const signalCampaignResume = (client: Client, campaignId: string, by: string) =>
  tell(() => handle(client, campaignId).signal(campaignResumeSignal, { by }));
export const signalCampaignCancel = (client: Client, campaignId: string, by: string, reason: string | null) =>
  tell(() => handle(client, campaignId).signal(campaignCancelSignal, { by, reason }));
export const signalProspectsAdded = (client: Client, campaignId: string, importId: string) =>
  tell(() => handle(client, campaignId).signal(prospectsAddedSignal, { importId }));

/** The workflow's live state. A query waits for a worker: read routes bound it with temporal/bounded-query.ts. */
export const queryCampaignState = (client: Client, campaignId: string): Promise<CampaignRunState> => handle(client, campaignId).query(campaignStateQuery);
