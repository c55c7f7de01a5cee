// The stack the lead throughput and latency sections share: the dev server, a migrated PostgreSQL,
// the real lead worker (local outbox, template drafts, offline MX) and, beside it in the same
// process, a baseline worker built with the lead worker's own options (cache, slots, pollers), so
// the only difference between a lead and its baseline is the work the lead's code does.
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import { bundleWorkflowCode, Worker, type WorkerOptions } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { testLeadWorker } from '../../tests/helpers/lead-worker.js';
import { testDataConverter } from '../../tests/helpers/codec.js';
import { createDevServerEnv, uniqueName } from '../../tests/helpers/temporal.js';
import { benchDevServerOptions } from './dev-config.js';
import { openTestDb, type TestDb } from '../../tests/helpers/test-db.js';
import { baselineActivities } from './baseline-activities.js';
import { localTransport, type Transport } from '../../activities/send/transports.js';

const BASELINE_WORKFLOWS = fileURLToPath(new URL('./baseline-workflows.ts', import.meta.url));
const noop = () => undefined;
const quiet = { trace: noop, debug: noop, info: noop, warn: noop, error: (m: string) => console.error(m), log: noop };

let bundle: Promise<{ code: string }> | undefined;
/** The baseline workflows' bundle, built once per process. */
export function baselineBundle(): Promise<{ code: string }> {
  bundle ??= bundleWorkflowCode({ workflowsPath: BASELINE_WORKFLOWS, logger: quiet }).then(({ code }) => ({ code }));
  return bundle;
}

type Slot = Worker['options']['tuner']['workflowTaskSlotSupplier'];
const slots = (s: Slot): number | undefined => (s.type === 'fixed-size' ? s.numSlots : undefined);

/** The options of a running worker that shape its throughput and memory, to build its twin. */
export function sameSetup(o: Worker['options']): Partial<WorkerOptions> {
  const wft = slots(o.tuner.workflowTaskSlotSupplier);
  const act = slots(o.tuner.activityTaskSlotSupplier);
  const la = slots(o.tuner.localActivityTaskSlotSupplier);
  return {
    maxCachedWorkflows: o.maxCachedWorkflows,
    reuseV8Context: o.reuseV8Context,
    workflowThreadPoolSize: o.workflowThreadPoolSize,
    nonStickyToStickyPollRatio: o.nonStickyToStickyPollRatio,
    stickyQueueScheduleToStartTimeout: o.stickyQueueScheduleToStartTimeoutMs,
    workflowTaskPollerBehavior: o.workflowTaskPollerBehavior,
    activityTaskPollerBehavior: o.activityTaskPollerBehavior,
    ...(wft !== undefined && { maxConcurrentWorkflowTaskExecutions: wft }),
    ...(act !== undefined && { maxConcurrentActivityTaskExecutions: act }),
    ...(la !== undefined && { maxConcurrentLocalActivityExecutions: la }),
    ...(o.maxActivitiesPerSecond !== undefined && { maxActivitiesPerSecond: o.maxActivitiesPerSecond }),
    ...(o.maxTaskQueueActivitiesPerSecond !== undefined && { maxTaskQueueActivitiesPerSecond: o.maxTaskQueueActivitiesPerSecond }),
  };
}

export interface LeadBench {
  env: TestWorkflowEnvironment;
  client: Client;
  tdb: TestDb;
  leadQueue: string;
  baseQueue: string;
  /** What the baseline worker copied from the lead worker. */
  setup: Partial<WorkerOptions>;
  /** Resolves when baseline workflow `workflowId` reaches its send (registered before the start). */
  baselineSent(workflowId: string): Promise<void>;
  /** Resolves when lead `leadId`'s first message has been handed to the provider (the local outbox). */
  leadSent(leadId: string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The local outbox, telling the bench of each lead's first message as it is accepted. The same
 * in-process report as the baseline's send, so that watching a run costs both kinds alike (the
 * bench polled the outbox table every 10 ms for the leads alone before).
 */
class SendReports {
  private readonly waiters = new Map<string, () => void>();
  private readonly early = new Set<string>();

  transport(): Transport {
    const inner = localTransport();
    return {
      ...inner,
      send: async (m) => {
        const out = await inner.send(m);
        this.report(m.leadId);
        return out;
      },
    };
  }

  wait(leadId: string): Promise<void> {
    if (this.early.delete(leadId)) return Promise.resolve();
    return new Promise((resolve) => this.waiters.set(leadId, resolve));
  }

  private report(leadId: string): void {
    const w = this.waiters.get(leadId);
    this.waiters.delete(leadId);
    // A lead's first message may come before its submitter asks (a lead deduplicated into an
    // earlier one, or a slow start answer): kept until asked. Later messages of a lead are not asked for.
    if (w === undefined) this.early.add(leadId);
    else w();
  }
}

export async function startLeadBench(): Promise<LeadBench> {
  const [env, tdb, code] = await Promise.all([createDevServerEnv(benchDevServerOptions()), openTestDb(), baselineBundle()]);
  const leadQueue = uniqueName('bench-leads');
  const baseQueue = uniqueName('bench-baseline');
  const reports = new SendReports();
  const leadWorker = await testLeadWorker(env, tdb.db, {
    taskQueue: leadQueue,
    services: { transports: { email: reports.transport(), sms: reports.transport() } },
  });
  const waiters = new Map<string, () => void>();
  const setup = sameSetup(leadWorker.options);
  const baseWorker = await Worker.create({
    ...setup,
    connection: env.nativeConnection,
    namespace: 'default',
    taskQueue: baseQueue,
    workflowBundle: code,
    dataConverter: testDataConverter,
    activities: baselineActivities((id) => waiters.get(id)?.()),
  });
  const running = [leadWorker.run(), baseWorker.run()];
  return {
    env,
    client: env.client,
    tdb,
    leadQueue,
    baseQueue,
    setup,
    baselineSent: (workflowId) => new Promise<void>((resolve) => waiters.set(workflowId, resolve)),
    leadSent: (leadId) => reports.wait(leadId),
    stop: async () => {
      leadWorker.shutdown();
      baseWorker.shutdown();
      await Promise.allSettled(running);
      await env.teardown();
      await tdb.close();
    },
  };
}
