// Deletes what the retention policy says is old, batch by batch. Started by a Temporal Schedule
// (daily by default); cut-offs come from workflow time, fixed once per run, so every batch of a
// run agrees on what "old" means even when the run spans midnight or a retry.
import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { createRetentionActivities } from '../../activities/retention/index.js';
import type { RetentionKind, RetentionPolicy, RetentionResult } from './contract.js';

const { purgeRetentionBatch } = proxyActivities<ReturnType<typeof createRetentionActivities>>({
  // One bounded DELETE: seconds at most; a stuck one is retried rather than waited on.
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '10 seconds', maximumAttempts: 5 },
});

const DAY_MS = 86_400_000;

export async function retentionWorkflow(policy: RetentionPolicy): Promise<RetentionResult> {
  const now = workflowInfo().runStartTime.getTime();
  const kinds: Array<[RetentionKind, number]> = [
    ['resolvedQuarantine', policy.errorLogDays],
    ['providerEvents', policy.inboundDays],
  ];
  const result: RetentionResult = { deleted: { resolvedQuarantine: 0, providerEvents: 0 }, unfinished: [] };
  for (const [kind, days] of kinds) {
    const before = new Date(now - days * DAY_MS).toISOString();
    for (let batch = 0; ; batch++) {
      if (batch === policy.maxBatches) {
        result.unfinished.push(kind);
        break;
      }
      const deleted = await purgeRetentionBatch({ kind, before, limit: policy.batchSize });
      result.deleted[kind] += deleted;
      // A short batch means nothing older is left.
      if (deleted < policy.batchSize) break;
    }
  }
  return result;
}
