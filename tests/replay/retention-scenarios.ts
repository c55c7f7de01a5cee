// The retention workflow's committed history: one run as its schedule starts it (the recording
// database has nothing old, so each kind takes one batch that finds nothing).
import { RETENTION_WORKFLOW_TYPE, type RetentionPolicy } from '../../workflows/retention/contract.js';
import type { Recorded, Scenario } from './scenarios.js';

export const retentionScenarios: Scenario[] = [
  {
    name: 'daily-run',
    workflowType: RETENTION_WORKFLOW_TYPE,
    async run(client, taskQueue): Promise<Recorded> {
      const workflowId = 'replay-retention-daily-run';
      const policy: RetentionPolicy = { errorLogDays: 14, inboundDays: 90, batchSize: 1000, maxBatches: 500 };
      await client.workflow.execute(RETENTION_WORKFLOW_TYPE, { workflowId, taskQueue, args: [policy] });
      return workflowId;
    },
  },
];
