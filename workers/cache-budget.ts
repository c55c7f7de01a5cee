// The lead worker's sticky cache, sized from a memory budget (WORKER_MEMORY_MB) instead of a fixed
// count. A cached workflow only saves a replay when its next task comes soon; a lead asleep for
// days is evicted and replays its ~100 events (a few ms) when it wakes, so waiting leads cost
// the worker nothing and the cache only has to hold the leads active in the last minutes.
// Memory is therefore bounded by this size, not by the number of waiting leads.

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
