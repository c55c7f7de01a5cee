// The lead worker's sticky cache follows its memory budget (WORKER_MEMORY_MB), so a worker's
// memory is bounded by configuration, never by how many leads are waiting.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../../config/index.js';
import { BASE_MB, cachedWorkflowsFor, KIB_PER_CACHED_WORKFLOW } from '../../workers/cache-budget.js';

test('the cache holds what the budget left after the base costs, at the measured cost per workflow', () => {
  assert.equal(cachedWorkflowsFor(1024), Math.floor(((1024 - BASE_MB) * 1024) / KIB_PER_CACHED_WORKFLOW));
  assert.equal(cachedWorkflowsFor(1024), 1664);
  assert.equal(cachedWorkflowsFor(1536), 3029);
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
