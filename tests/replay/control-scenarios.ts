// Control workflow paths whose histories are committed: a stop, a repeated stop and a resume with
// a ramp in one run; and a run that continues as new after two updates, its successor resuming.
// Each has its own workflow ID (the production singleton's ID is never touched by recording).
import type { Client } from '@temporalio/client';
import { emergencyStop, resumeSending } from '../../temporal/control-client.js';
import type { Recorded, Scenario } from './scenarios.js';

async function runIdOf(client: Client, workflowId: string, not?: string): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const { runId } = await client.workflow.getHandle(workflowId).describe();
    if (runId !== not) return runId;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${workflowId} never started a new run`);
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
];
