// The Temporal SDK metrics (the worker's TEMPORAL_SDK_METRICS_ADDRESS endpoint) that the alerts,
// the dashboard and docs/RUNBOOK.md name. The runbook test cannot start a worker, so it trusts this
// list; tests/integration/observability.test.ts proves every name is on a real worker's endpoint.
// SDK histograms are in milliseconds and its counters have no `_total`.
export const TEMPORAL_SDK_METRICS = [
  'temporal_workflow_task_schedule_to_start_latency',
  'temporal_workflow_task_schedule_to_start_latency_bucket',
  'temporal_activity_schedule_to_start_latency',
  'temporal_activity_schedule_to_start_latency_bucket',
  'temporal_workflow_task_execution_latency',
  'temporal_num_pollers',
  'temporal_worker_task_slots_available',
  'temporal_sticky_cache_size',
] as const;
