// Control workflow paths whose histories are committed: a stop, a repeated stop and a resume with
// a ramp in one run; a run that continues as new after two updates, its successor resuming; and a
// run started on the lead queue (as before the control queue existed) that takes its first stop
// on the control queue and moves there (patch control-own-queue-v1). The first two were recorded
// on the lead queue, before that patch. Each has its own workflow ID (the production singleton's
// ID is never touched by recording).
import { WithStartWorkflowOperation, type Client } from '@temporalio/client';
import { WorkflowIdConflictPolicy } from '@temporalio/common';
import { emergencyStop, resumeSending } from '../../temporal/control-client.js';
import { CONTROL_WORKFLOW_TYPE, controlTaskQueue, emergencyStopUpdate } from '../../workflows/control/contract.js';
import type { Recorded, Scenario } from './scenarios.js';

async function runIdOf(client: Client, workflowId: string, not?: string): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const { runId } = await client.workflow.getHandle(workflowId).describe();
    if (runId !== not) return runId;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${workflowId} never started a new run`);
}

async function runIdOnQueue(client: Client, workflowId: string, queue: string): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const d = await client.workflow.getHandle(workflowId).describe();
    if (d.taskQueue === queue) return d.runId;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${workflowId} never moved to ${queue}`);
}

export const controlScenarios: Scenario[] = [
  {
    name: 'stop-repeat-resume',
    workflowType: 'controlWorkflow',
    async run(client, taskQueue): Promise<Recorded> {
      const o = { taskQueue, workflowId: 'replay-control-stop-resume' };
      await emergencyStop(client, { reason: 'replay: complaint spike', by: 'replay-operator' }, o);
      await emergencyStop(client, { reason: 'replay: second operator', by: 'replay-operator-2' }, o);
      await resumeSending(client, { by: 'replay-operator', ramp: { initialPerMinute: 2 } }, o);
      return o.workflowId;
    },
  },
  {
    name: 'continue-as-new',
    workflowType: 'controlWorkflow',
    async run(client, taskQueue): Promise<Recorded> {
      const o = { taskQueue, workflowId: 'replay-control-continue-as-new', input: { maxUpdatesPerRun: 2 } };
      await emergencyStop(client, { reason: 'replay: before continue-as-new', by: 'replay-operator' }, o);
      const first = await runIdOf(client, o.workflowId);
      await resumeSending(client, { by: 'replay-operator', ramp: null }, o);
      const second = await runIdOf(client, o.workflowId, first);
      await emergencyStop(client, { reason: 'replay: in the second run', by: 'replay-operator' }, o);
      await resumeSending(client, { by: 'replay-operator' }, o);
      return { workflowId: o.workflowId, runIds: [first, second] };
    },
  },
  {
    name: 'move-to-own-queue',
    workflowType: 'controlWorkflow',
    async run(client, taskQueue): Promise<Recorded> {
      const o = { taskQueue, workflowId: 'replay-control-move-to-own-queue' };
      // Started on the lead queue itself, with the stop in its first task, as an old client did.
      const startWorkflowOperation = new WithStartWorkflowOperation(CONTROL_WORKFLOW_TYPE, {
        workflowId: o.workflowId,
        taskQueue,
        args: [{}],
        workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      });
      await client.workflow.executeUpdateWithStart(emergencyStopUpdate, {
        args: [{ reason: 'replay: stop on the lead queue', by: 'replay-operator' }],
        startWorkflowOperation,
      });
      // The run on the control queue is the second; its start names the first.
      const second = await runIdOnQueue(client, o.workflowId, controlTaskQueue(taskQueue));
      const started = (await client.workflow.getHandle(o.workflowId, second).fetchHistory()).events?.[0];
      const first = started?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId;
      if (!first) throw new Error('the run on the control queue does not continue the first');
      await resumeSending(client, { by: 'replay-operator', ramp: null }, o);
      return { workflowId: o.workflowId, runIds: [first, second] };
    },
  },
];
