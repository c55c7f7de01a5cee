// The usual integration stack: a Temporal dev server, a migrated PostgreSQL database of the
// file's own, and (optionally) a lead worker polling a queue with the emergency stop's worker
// beside it — started together, stopped together.
import os from 'node:os';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createDb } from '../../db/index.js';
import { testControlWorker, testLeadWorker } from './lead-worker.js';
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
  const lw = opts.leadWorker;
  const queue = lw?.taskQueue ? { taskQueue: lw.taskQueue } : {};
  // The stop's worker on a pool of its own, as workers/main.ts gives it.
  const controlDb = lw === undefined ? null : await createDb({ databaseUrl: tdb.url, dataDir: os.tmpdir(), poolMax: 2 });
  const workers =
    lw === undefined || controlDb === null
      ? []
      : [await testLeadWorker(env, tdb.db, { services: lw.services, ...queue }), await testControlWorker(env, controlDb.db, queue)];
  const running = Promise.all(workers.map((w) => w.run()));
  return {
    env,
    tdb,
    stop: async () => {
      for (const w of workers) w.shutdown();
      await running;
      await controlDb?.close();
      await env.teardown();
      await tdb.close();
    },
  };
}
