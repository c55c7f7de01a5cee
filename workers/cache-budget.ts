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
//
// Nor the main thread: activities, the payload codec and the SDK's JavaScript side run there, and
// under V8's default limit its garbage grew to 384 MiB (≈100 KiB per lead run) before a full
// collection, while what it really held stayed about 100 MiB (heap snapshots at idle and at 3,000
// waiting: 94 and 99 MiB). That limit is fixed when the process starts, so it cannot be set from
// here: the image's entrypoint (deploy/entrypoint.sh) starts the worker with mainHeapMbFor()'s
// --max-old-space-size, and a worker started without it says so (mainHeapAdvice). Measured with
// it (3,000 leads, 512 budget): RSS flat at ~507 MiB from 1,100 waiting to 3,000, against 818
// MiB and climbing without it.
import v8 from 'node:v8';

/** Worker heap per cached lead workflow, measured (issue 15: 1,165 MiB RSS at 2,000 cached on the dev box). */
export const KIB_PER_CACHED_WORKFLOW = 384;
/**
 * The worker's own baseline: Node, the SDK's native core, the workflow bundle, pools, and the
 * emergency stop's worker (workers/control-worker.ts), whose workflow thread loads the bundle
 * again: idle RSS 327 → 380 MiB with it (bench/worker-memory.ts at a 512 budget), so 40 more.
 * Then 20 more: with 440, 100,000 leads reaching their wait peaked at 519 MiB on a 512 budget (41 %
 * of the 5 s samples over it, by up to 7 MiB; 402 once all waited), and a container limit set to
 * the budget must not be crossed while leads run.
 */
export const BASE_MB = 460;
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

/** The main thread's share of the budget: 3/8, at least MAIN_HEAP_MIN_MB (live ~100 MiB plus room to collect). */
export const MAIN_HEAP_MIN_MB = 192;
export function mainHeapMbFor(memoryMb: number): number {
  return Math.max(MAIN_HEAP_MIN_MB, Math.round((memoryMb * 3) / 8));
}

/** V8's young generation, which heap_size_limit adds to the old-space limit: 48 MiB on Node 20 x64, plus slack. */
const YOUNG_GENERATION_MB = 64;

/**
 * What to tell the operator when this process's main-thread heap limit (heap_size_limit, fixed at
 * start) is above the budget's share, or null when it is within it.
 */
export function mainHeapAdvice(limitMb: number, memoryMb: number): string | null {
  const want = mainHeapMbFor(memoryMb);
  if (limitMb <= want + YOUNG_GENERATION_MB) return null;
  return (
    `the main thread's V8 heap limit is ${Math.round(limitMb)} MiB, above WORKER_MEMORY_MB=${memoryMb}'s share: ` +
    `its garbage can grow past the budget before V8 collects it; start node with --max-old-space-size=${want} ` +
    `(NODE_OPTIONS), as the image's entrypoint does`
  );
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
