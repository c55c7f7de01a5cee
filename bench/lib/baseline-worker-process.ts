// A worker process of its own for the scale section's baseline: it runs the baseline waiting
// workflows with the lead worker's options (BENCH_WORKER_OPTIONS) so its memory can be compared
// with the real `leadflow worker`'s. Talks to its parent over IPC: 'started' once polling, and
// { ready, heapUsed } (workflows that have run their first task; main-thread heap) on 'stats'.
// Run by bench/scale.ts: node --import tsx bench/lib/baseline-worker-process.ts
import { NativeConnection, Worker } from '@temporalio/worker';
import { installTemporalRuntime } from '../../temporal/runtime.js';
import { capWorkflowThreadHeap } from '../../workers/cache-budget.js';
import { testDataConverter } from '../../tests/helpers/codec.js';
import { baselineActivities } from './baseline-activities.js';

installTemporalRuntime({ metricsAddress: undefined, logLevel: 'warn' });
// The lead worker's heap limit for its workflow threads, when the run gives it a budget.
if (process.env.WORKER_MEMORY_MB !== undefined) capWorkflowThreadHeap(Number(process.env.WORKER_MEMORY_MB));
const env = (k: string): string => {
  const v = process.env[k];
  if (v === undefined) throw new Error(`${k} is not set`);
  return v;
};
let ready = 0;
const connection = await NativeConnection.connect({ address: env('TEMPORAL_ADDRESS') });
const worker = await Worker.create({
  ...(JSON.parse(process.env.BENCH_WORKER_OPTIONS ?? '{}') as object),
  connection,
  namespace: 'default',
  taskQueue: env('BENCH_TASK_QUEUE'),
  workflowBundle: { codePath: env('BENCH_WORKFLOW_BUNDLE') },
  dataConverter: testDataConverter,
  activities: baselineActivities(),
  sinks: { bench: { ready: { fn: () => void ready++ } } },
});
process.on('message', (m) => {
  if (m === 'stats') process.send?.({ ready, heapUsed: process.memoryUsage().heapUsed });
  if (m === 'stop') worker.shutdown();
});
const running = worker.run();
process.send?.('started');
await running;
await connection.close();
process.disconnect?.();
