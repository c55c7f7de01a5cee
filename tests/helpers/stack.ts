// The usual integration stack: a Temporal dev server, a migrated PostgreSQL database of the
// file's own, and (optionally) a lead worker polling a queue — started together, stopped together.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { testLeadWorker } from './lead-worker.js';
import type { LeadServices } from '../../wiring/services.js';
import { createDevServerEnv } from './temporal.js';
import { openTestDb, type TestDb } from './test-db.js';

export interface DevStack {
  env: TestWorkflowEnvironment;
  tdb: TestDb;
  stop(): Promise<void>;
}

export async function startDevStack(opts: { leadWorker?: { taskQueue?: string; services?: Partial<LeadServices> } } = {}): Promise<DevStack> {
  const [env, tdb] = await Promise.all([createDevServerEnv(), openTestDb()]);
  const worker =
    opts.leadWorker === undefined
      ? null
      : await testLeadWorker(env, tdb.db, {
          services: opts.leadWorker.services,
          ...(opts.leadWorker.taskQueue ? { taskQueue: opts.leadWorker.taskQueue } : {}),
        });
  const running = worker?.run();
  return {
    env,
    tdb,
    stop: async () => {
      worker?.shutdown();
      await running;
      await env.teardown();
      await tdb.close();
    },
  };
}
