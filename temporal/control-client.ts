// Talking to the control workflow from outside (the API and the CLI). Every command is an
// update-with-start (conflict policy USE_EXISTING): the first stop ever also starts the singleton,
// and the answer comes back only once the activity has committed the change to the database.
import { WithStartWorkflowOperation, type Client } from '@temporalio/client';
import { WorkflowIdConflictPolicy } from '@temporalio/common';
import {
  CONTROL_WORKFLOW_ID,
  CONTROL_WORKFLOW_TYPE,
  controlTaskQueue,
  controlStateQuery,
  emergencyStopUpdate,
  resumeUpdate,
  type ControlState,
  type ControlWorkflowInput,
  type EmergencyStopRequest,
  type ResumeRequest,
} from '../workflows/control/contract.js';
import { LEAD_TASK_QUEUE } from '../workflows/lead/contract.js';

export interface ControlClientOptions {
  /**
   * The lead queue whose workers serve the control workflow (tests run their own); the workflow
   * itself runs on that queue's control queue (controlTaskQueue), never behind the leads' tasks.
   */
  taskQueue?: string;
  /** Tests use their own singleton id so runs never meet. */
  workflowId?: string;
  input?: ControlWorkflowInput;
}

function startOperation(o: ControlClientOptions) {
  return new WithStartWorkflowOperation(CONTROL_WORKFLOW_TYPE, {
    workflowId: o.workflowId ?? CONTROL_WORKFLOW_ID,
    taskQueue: controlTaskQueue(o.taskQueue ?? LEAD_TASK_QUEUE),
    args: [o.input ?? {}] as [ControlWorkflowInput],
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
  });
}

/** Stops all sending; resolves with the acknowledged state (the stop is committed). */
export async function emergencyStop(client: Client, req: EmergencyStopRequest, o: ControlClientOptions = {}): Promise<ControlState> {
  return client.workflow.executeUpdateWithStart(emergencyStopUpdate, { args: [req], startWorkflowOperation: startOperation(o) });
}

/** Lifts the stop under a throttled ramp; resolves with the state as committed. */
export async function resumeSending(client: Client, req: ResumeRequest, o: ControlClientOptions = {}): Promise<ControlState> {
  return client.workflow.executeUpdateWithStart(resumeUpdate, { args: [req], startWorkflowOperation: startOperation(o) });
}

/** The workflow's view (as of its last update); the database is the source of truth for readers. */
export async function queryControlState(client: Client, o: Pick<ControlClientOptions, 'workflowId'> = {}): Promise<ControlState | null> {
  return client.workflow.getHandle(o.workflowId ?? CONTROL_WORKFLOW_ID).query(controlStateQuery);
}
