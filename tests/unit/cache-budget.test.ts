// The lead worker's sticky cache follows its memory budget (WORKER_MEMORY_MB), so a worker's
// memory is bounded by configuration, never by how many leads are waiting.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../../config/index.js';
import { Worker } from 'node:worker_threads';
import { BASE_MB, cachedWorkflowsFor, capWorkflowThreadHeap, KIB_PER_CACHED_WORKFLOW, workflowHeapMbFor } from '../../workers/cache-budget.js';

test('the cache holds what the budget left after the base costs, at the measured cost per workflow', () => {
  assert.equal(cachedWorkflowsFor(1024), Math.floor(((1024 - BASE_MB) * 1024) / KIB_PER_CACHED_WORKFLOW));
  assert.equal(cachedWorkflowsFor(1024), 1504);
  assert.equal(cachedWorkflowsFor(1536), 2869);
  // Bounded memory: the cache times its cost stays within the budget.
  for (const mb of [512, 1024, 2048, 8192]) assert.ok(BASE_MB + (cachedWorkflowsFor(mb) * KIB_PER_CACHED_WORKFLOW) / 1024 <= mb, `${mb} MiB`);
  assert.equal(cachedWorkflowsFor(300), 2, 'never below the SDK minimum with a cache');
});

test('WORKER_MEMORY_MB is read, defaulted and bounded', () => {
  assert.equal(loadConfig({}).temporal.workerMemoryMb, 1024);
  assert.equal(loadConfig({ WORKER_MEMORY_MB: '3072' }).temporal.workerMemoryMb, 3072);
  assert.throws(() => loadConfig({ WORKER_MEMORY_MB: '100' }), /WORKER_MEMORY_MB/);
  assert.throws(() => loadConfig({ WORKER_MEMORY_MB: 'lots' }), /WORKER_MEMORY_MB/);
});

test('the workflow threads get a heap limit from the budget; the main thread keeps its own', async () => {
  assert.equal(workflowHeapMbFor(1024), 1024 - BASE_MB + 96);
  assert.equal(workflowHeapMbFor(512), 160);
  assert.equal(workflowHeapMbFor(400), 160, 'never below the bundle and one activation');
  const v8 = await import('node:v8');
  const mainBefore = v8.getHeapStatistics().heap_size_limit;
  const mb = capWorkflowThreadHeap(512);
  // A thread created after the call (as the SDK's workflow threads are) reports the limit: old
  // space plus V8's young generation, so at least the old space and well under the default.
  const limit = await new Promise<number>((resolve, reject) => {
    const w = new Worker("require('node:worker_threads').parentPort.postMessage(require('node:v8').getHeapStatistics().heap_size_limit)", { eval: true });
    w.once('message', (n: number) => resolve(n));
    w.once('error', reject);
  });
  assert.ok(limit >= mb * 1048576 && limit < (mb + 128) * 1048576, `thread limit ${limit / 1048576} MiB for ${mb}`);
  assert.equal(v8.getHeapStatistics().heap_size_limit, mainBefore, 'the main thread is unchanged');
});
