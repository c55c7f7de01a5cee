// Client-side entry to lead workflows, shared by the API and the CLI. Every arrival is a
// signal-with-start on the lead's deterministic ID: the first creates the workflow, a duplicate
// or resend only signals it — never a second workflow for the same lead.
import { randomUUID } from 'node:crypto';
import type { Client, WorkflowHandle } from '@temporalio/client';
import {
  arrivedSignal,
  LEAD_TASK_QUEUE,
  LEAD_WORKFLOW_TYPE,
  stateQuery,
  stopSignal,
  type LeadArrival,
  type LeadInput,
  type LeadState,
  type StopRequest,
} from '../workflows/lead/contract.js';
import { CampaignIdKey, LeadSourceKey, LeadStatusKey } from '../workflows/search-attributes.js';
import type { leadWorkflowV2 } from '../workflows/lead/workflow.js';
import { validateLeadInput } from './lead-validation.js';
import { resolveLeadId, type LeadIdentity } from './lead-ids.js';

export { InvalidLeadInputError, validateLeadInput } from './lead-validation.js';

export interface StartedLead {
  leadId: string;
  runId: string;
  arrivalId: string;
}

/** `identity` makes the lead's opaque workflow ID (temporal/lead-ids.ts). */
export async function submitLead(
  client: Client,
  input: LeadInput,
  opts: { identity: LeadIdentity; arrivalId?: string; taskQueue?: string },
): Promise<StartedLead> {
  validateLeadInput(input);
  const leadId = await resolveLeadId(opts.identity, input);
  const arrivalId = opts.arrivalId ?? randomUUID();
  const handle = await client.workflow.signalWithStart<typeof leadWorkflowV2, [LeadArrival]>(LEAD_WORKFLOW_TYPE, {
    workflowId: leadId,
    taskQueue: opts.taskQueue ?? LEAD_TASK_QUEUE,
    args: [input],
    signal: arrivedSignal,
    signalArgs: [{ arrivalId, receivedAt: new Date().toISOString() }],
    typedSearchAttributes: leadSearchAttributes(input, 'received'),
  });
  return { leadId, runId: handle.signaledRunId, arrivalId };
}

/** The search attributes a lead starts with (its workflow upserts them as it moves on). */
export const leadSearchAttributes = (input: LeadInput, status: string) => [
  { key: LeadStatusKey, value: status },
  { key: LeadSourceKey, value: input.source },
  ...(input.campaignId !== null ? [{ key: CampaignIdKey, value: input.campaignId }] : []),
];

export function leadHandle(client: Client, leadId: string): WorkflowHandle<typeof leadWorkflowV2> {
  return client.workflow.getHandle<typeof leadWorkflowV2>(leadId);
}

/**
 * The lead's live state, read by a workflow query. A query waits for a worker to answer it: with
 * no worker polling the lead queue (down, or backlogged) the server holds it for tens of seconds,
 * so read routes bound it with temporal/bounded-query.ts.
 */
export const queryLeadState = (client: Client, leadId: string): Promise<LeadState> => leadHandle(client, leadId).query(stateQuery);
export const stopLead = (client: Client, leadId: string, req: StopRequest): Promise<void> => leadHandle(client, leadId).signal(stopSignal, req);

/** The lead's page in the Temporal Web UI. */
export const workflowUiUrl = (uiUrl: string, namespace: string, workflowId: string): string =>
  new URL(`namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}`, uiUrl).toString();
