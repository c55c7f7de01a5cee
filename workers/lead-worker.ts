// The worker for the lead task queue: lead workflows and their activities.
import { Worker, type NativeConnection } from '@temporalio/worker';
import type { Kysely } from 'kysely';
import { createLeadActivities } from '../activities/leads/index.js';
import type { Database } from '../db/index.js';
import { LEAD_TASK_QUEUE } from '../workflows/lead/contract.js';
import { workflowBundle } from './bundle.js';

export interface LeadWorkerDeps {
  connection: NativeConnection;
  namespace: string;
  db: Kysely<Database>;
  /** Override the task queue (tests run each case on its own queue). */
  taskQueue?: string;
}

export async function createLeadWorker(deps: LeadWorkerDeps): Promise<Worker> {
  return Worker.create({
    connection: deps.connection,
    namespace: deps.namespace,
    taskQueue: deps.taskQueue ?? LEAD_TASK_QUEUE,
    workflowBundle: await workflowBundle(),
    activities: createLeadActivities({ db: deps.db }),
    // A lead workflow is small; ~600 fit per GB. Bound the cache so memory stays predictable.
    maxCachedWorkflows: 2000,
    // DB activities are short; cap them so a burst of arrivals cannot exhaust the pool.
    maxConcurrentActivityTaskExecutions: 50,
    // Finish in-flight activities on shutdown instead of abandoning them to a timeout.
    shutdownGraceTime: '10 seconds',
  });
}
