// Ingest metrics on prom-client's default registry (served at /metrics by the API, and by the
// worker's metrics endpoint when it runs alone).
import { Counter, Histogram } from 'prom-client';
import { singleMetric as once } from '../config/metrics.js';

export const adfLeadsProcessed = once(
  'adf_leads_processed_total',
  () =>
    new Counter({
      name: 'adf_leads_processed_total',
      // `failed` is what the "lead processing failures" alert counts: an arrival that raised (Temporal or
      // the database unreachable) and was neither started nor parked; the sender (IMAP, HTTP) retries it.
      help: 'ADF prospects and documents by outcome: accepted (lead workflow started or signalled), quarantined, or failed (ingest raised: nothing started, nothing parked)',
      labelNames: ['status', 'source'] as const,
    }),
);

export const adfImapDisconnections = once(
  'adf_imap_disconnections_total',
  () =>
    new Counter({
      name: 'adf_imap_disconnections_total',
      help: 'IMAP connections lost by mailbox watchers (each is followed by a reconnect with backoff)',
      labelNames: ['mailbox'] as const,
    }),
);

export const adfArrivalToWorkflowStart = once(
  'adf_arrival_to_workflow_start_seconds',
  () =>
    new Histogram({
      name: 'adf_arrival_to_workflow_start_seconds',
      help: 'From a lead arriving (IMAP internal date, HTTP receipt, file read) to its lead workflow accepting it',
      labelNames: ['source'] as const,
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300],
    }),
);
