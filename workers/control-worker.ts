// The worker for the control queue (workflows/control/contract.ts, controlTaskQueue): the
// emergency stop's workflow and its activities, on their own queue and their own database pool.
// On the lead queue a stop waited behind the very traffic it stops: its workflow task behind the
// leads' tasks, its activity behind hundreds of sends and slot requests, its transaction behind
// their turn for a pooled connection. Small by design: one singleton, a command at a time.
import type { DataConverter } from '@temporalio/common';
import { Worker, type NativeConnection } from '@temporalio/worker';
import type { Kysely } from 'kysely';
import { createControlActivities } from '../activities/control/index.js';
import type { WorkerBuild } from '../config/index.js';
import type { Database, RampSettings } from '../db/index.js';
import { controlTaskQueue } from '../workflows/control/contract.js';
import { LEAD_TASK_QUEUE } from '../workflows/lead/contract.js';
import { workflowBundle } from './bundle.js';
import { workerVersionOptions } from './versioning.js';

export interface ControlWorkerDeps {
  connection: NativeConnection;
  namespace: string;
  /** A pool of its own (two connections are plenty), never the one the sends queue on. */
  db: Kysely<Database>;
  /** The lead queue beside which it runs (tests run their own). */
  leadTaskQueue?: string;
  dataConverter?: DataConverter;
  build?: WorkerBuild;
  /** RESUME_RAMP_*: the ramp a resume gets when it names none. */
  resumeRamp?: RampSettings;
}

export async function createControlWorker(deps: ControlWorkerDeps): Promise<Worker> {
  return Worker.create({
    connection: deps.connection,
    namespace: deps.namespace,
    taskQueue: controlTaskQueue(deps.leadTaskQueue ?? LEAD_TASK_QUEUE),
    workflowBundle: await workflowBundle(),
    ...(deps.dataConverter !== undefined && { dataConverter: deps.dataConverter }),
    activities: createControlActivities({ db: deps.db, ...(deps.resumeRamp !== undefined && { defaultRamp: deps.resumeRamp }) }),
    ...workerVersionOptions(deps.build),
    maxCachedWorkflows: 4,
    maxConcurrentWorkflowTaskExecutions: 2,
    maxConcurrentActivityTaskExecutions: 2,
    maxConcurrentLocalActivityExecutions: 2,
    shutdownGraceTime: '10 seconds',
  });
}
