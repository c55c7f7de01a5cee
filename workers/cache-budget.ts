// The lead worker's sticky cache, sized from a memory budget (WORKER_MEMORY_MB) instead of a fixed
// count. A cached workflow only saves a replay when its next task comes soon; a lead asleep for
// days is evicted and replays its ~100 events (a few ms) when it wakes, so waiting leads cost
// the worker nothing and the cache only has to hold the leads active in the last minutes.
// Memory is therefore bounded by this size, not by the number of waiting leads.
//
// The cache alone does not bound the process, though: the SDK runs workflows in a worker thread
// whose V8 heap limit defaults to the machine's (about 4 GiB on a 24 GiB box), and V8 lets a heap
// grow towards its limit before it collects hard. Measured (bench/worker-memory.ts, 3,000 leads,
// 298-workflow cache): without a limit RSS kept climbing past 440 MiB; with it, 476 MiB at 2,334
// waiting. So the budget also sets the workflow threads' heap limit (capWorkflowThreadHeap).
// Native memory (the SDK core, the allocator) still grows with the leads a worker has run: see
// the README's Performance section.
import v8 from 'node:v8';

/** Worker heap per cached lead workflow, measured (issue 15: 1,165 MiB RSS at 2,000 cached on the dev box). */
export const KIB_PER_CACHED_WORKFLOW = 384;
/** The worker's own baseline: Node, the SDK's native core, the workflow bundle, pools. */
export const BASE_MB = 400;
/** Default budget: a 1 GiB container (the Helm chart's default limit). */
export const DEFAULT_WORKER_MEMORY_MB = 1024;

/** `maxCachedWorkflows` for a budget of `memoryMb`: at least 2 (the SDK's minimum with a cache). */
export function cachedWorkflowsFor(memoryMb: number): number {
  return Math.max(2, Math.floor(((memoryMb - BASE_MB) * 1024) / KIB_PER_CACHED_WORKFLOW));
}

/** Headroom in the workflow threads' heap beyond the cache: the bundle, one activation's garbage. */
export const WORKFLOW_HEAP_HEADROOM_MB = 96;

/** The workflow threads' V8 old-space limit for a budget: the cache's share plus headroom. */
export function workflowHeapMbFor(memoryMb: number): number {
  return Math.max(160, memoryMb - BASE_MB + WORKFLOW_HEAP_HEADROOM_MB);
}

/**
 * Sets the old-space limit of every V8 isolate created from now on in this process: the SDK's
 * workflow worker threads, created by Worker.create after this call. The main thread keeps its
 * own limit (set at start; NODE_OPTIONS may still lower it). Node documents flag changes after
 * start as unsupported in general; the heap limit is read when an isolate is created, which is
 * what this relies on (tests/unit/cache-budget.test.ts checks it on this Node).
 */
export function capWorkflowThreadHeap(memoryMb: number): number {
  const mb = workflowHeapMbFor(memoryMb);
  v8.setFlagsFromString(`--max-old-space-size=${mb}`);
  return mb;
}
