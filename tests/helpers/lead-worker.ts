// The real lead worker (workers/lead-worker.ts) as tests and benchmarks run it: on a test
// environment's server, with the test codec and the local stand-in services. One place, so a new
// dependency of the worker is given to every test harness at once.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.js';
import { createLeadWorker, type LeadWorkerDeps } from '../../workers/lead-worker.js';
import { createControlWorker } from '../../workers/control-worker.js';
import type { LeadServices } from '../../wiring/services.js';
import { testDataConverter } from './codec.js';
import { testServices } from './services.js';

export interface TestLeadWorkerOptions extends Partial<Pick<LeadWorkerDeps, 'taskQueue' | 'dataConverter' | 'client' | 'memoryMb'>> {
  /** Overrides of the stand-in services (transports, compose, timings). */
  services?: Partial<LeadServices>;
}

export function testLeadWorker(env: TestWorkflowEnvironment, db: Kysely<Database>, o: TestLeadWorkerOptions = {}): Promise<Worker> {
  return createLeadWorker({
    client: o.client ?? env.client,
    dataConverter: o.dataConverter ?? testDataConverter,
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    db,
    services: testServices(o.services),
    ...(o.taskQueue !== undefined && { taskQueue: o.taskQueue }),
    ...(o.memoryMb !== undefined && { memoryMb: o.memoryMb }),
  });
}

/** The emergency stop's worker beside a test's lead queue (the control workflow runs on its control queue). */
export function testControlWorker(env: TestWorkflowEnvironment, db: Kysely<Database>, o: { taskQueue?: string } = {}): Promise<Worker> {
  return createControlWorker({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    db,
    dataConverter: testDataConverter,
    ...(o.taskQueue !== undefined && { leadTaskQueue: o.taskQueue }),
  });
}
