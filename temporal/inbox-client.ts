// Talking to an inbox workflow from outside it (the slot activity, the API, the CLI). Every call
// starts the inbox's workflow if it is not running yet (update/signal-with-start), so an inbox
// exists as an entity from the first request on, with the policy and age stored in the database.
import { WithStartWorkflowOperation, type Client, type WorkflowHandle } from '@temporalio/client';
import { WorkflowIdConflictPolicy, type SignalDefinition, type Workflow } from '@temporalio/common';
import {
  inboxStatusQuery,
  inboxWorkflowId,
  inboxEventSignal,
  inboxOpsUpdate,
  MAX_INBOX_OPS,
  pauseInboxSignal,
  reserveSlotUpdate,
  resumeInboxSignal,
  updatePolicyUpdate,
  INBOX_WORKFLOW_TYPE,
  type InboxEvent,
  type InboxOp,
  type InboxOpAnswer,
  type InboxPolicy,
  type InboxStatus,
  type InboxWorkflowInput,
  type SlotAnswer,
  type SlotRequest,
  TRANSACTIONAL_POLICY,
  inboxEntityKey,
} from '../workflows/inbox/contract.js';
import { LEAD_TASK_QUEUE } from '../workflows/lead/contract.js';

/**
 * What starting an inbox's workflow needs: read from the inbox registry by the caller. The task
 * queue defaults to the lead queue; an activity passes its own, so the inbox runs beside its leads.
 */
export type InboxStart = Omit<InboxWorkflowInput, 'carry' | 'historyLimit'> & { taskQueue?: string };

/**
 * The start of a registry inbox from its row, or of an implicit one (the single-sender
 * environment variables: no ramp, no window) when there is no row.
 */
export function inboxStartOf(inboxId: string, row: { policy: unknown; created_at: Date } | undefined): InboxStart {
  if (row === undefined) return { inboxId, policy: TRANSACTIONAL_POLICY, createdAt: 0 };
  return { inboxId, policy: row.policy as InboxPolicy, createdAt: row.created_at.getTime() };
}

function startOptions(start: InboxStart) {
  const { taskQueue, ...input } = start;
  return {
    workflowId: inboxWorkflowId(inboxEntityKey(start.inboxId, taskQueue)),
    taskQueue: taskQueue ?? LEAD_TASK_QUEUE,
    args: [input] as [InboxWorkflowInput],
  };
}

export function inboxHandle(client: Client, inboxId: string): WorkflowHandle {
  return client.workflow.getHandle(inboxWorkflowId(inboxId));
}

/** The inbox's start for an update-with-start: the running workflow when there is one. */
function startIfMissing(start: InboxStart): WithStartWorkflowOperation<Workflow> {
  return new WithStartWorkflowOperation(INBOX_WORKFLOW_TYPE, { ...startOptions(start), workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING });
}

/**
 * Asks the inbox for a slot (update-with-start). A repeated request for a key gets the same slot
 * from the inbox's own reservations (which survive continue-as-new). The update id is left to the
 * SDK on purpose: a fixed one would make the server replay the first answer for the whole run — a
 * "wait" from a paused inbox after it was resumed, or a slot already given back.
 */
export async function reserveSlot(client: Client, start: InboxStart, req: SlotRequest): Promise<SlotAnswer> {
  return client.workflow.executeUpdateWithStart(reserveSlotUpdate, { args: [req], startWorkflowOperation: startIfMissing(start) });
}

export { MAX_INBOX_OPS };

/**
 * Sends a worker's ops for one inbox (slot requests, releases, message events) in one
 * update-with-start; the answers come in the ops' order (inboxOpsUpdate in the contract says why
 * these are not signals).
 */
export async function applyInboxOps(client: Client, start: InboxStart, ops: InboxOp[]): Promise<InboxOpAnswer[]> {
  const answers = await client.workflow.executeUpdateWithStart(inboxOpsUpdate, { args: [ops], startWorkflowOperation: startIfMissing(start) });
  if (answers.length !== ops.length) throw new Error(`inbox ${start.inboxId} answered ${answers.length} of ${ops.length} ops`);
  return answers;
}

async function signalWithStart<T>(client: Client, start: InboxStart, signal: SignalDefinition<[T]>, arg: T): Promise<void> {
  await client.workflow.signalWithStart<Workflow, [T]>(INBOX_WORKFLOW_TYPE, { ...startOptions(start), signal, signalArgs: [arg] });
}

/** A message event as a signal: for a caller that must not wait for the inbox's workflow task (slots.ts, localInboxNote). */
export const reportInboxEventBySignal = (client: Client, start: InboxStart, event: InboxEvent): Promise<void> =>
  signalWithStart(client, start, inboxEventSignal, event);

export const pauseInbox = (client: Client, start: InboxStart, req: { by: string; reason: string; until?: number | null }): Promise<void> =>
  signalWithStart(client, start, pauseInboxSignal, req);

export const resumeInbox = (client: Client, start: InboxStart, by: string): Promise<void> => signalWithStart(client, start, resumeInboxSignal, { by });

/** Applies a changed policy to a running inbox (validated again in the workflow); starts it if needed. */
export async function updateInboxPolicy(client: Client, start: InboxStart, policy: InboxPolicy): Promise<InboxStatus> {
  const startWorkflowOperation = new WithStartWorkflowOperation(INBOX_WORKFLOW_TYPE, {
    ...startOptions(start),
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
  });
  return client.workflow.executeUpdateWithStart(updatePolicyUpdate, { args: [policy], startWorkflowOperation });
}

/** The inbox's live status; throws when its workflow has never run (the caller shows the stored view). */
export const queryInboxStatus = (client: Client, inboxId: string): Promise<InboxStatus> => inboxHandle(client, inboxId).query(inboxStatusQuery);

export { inboxEntityKey };
