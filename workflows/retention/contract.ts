// The retention clean-up's contract: the schedule that starts it (temporal/retention-schedule.ts),
// the workflow and the activity agree on these names and shapes. Side-effect free.
export const RETENTION_WORKFLOW_TYPE = 'retentionWorkflow';
/** One schedule per namespace; its runs get this ID plus the scheduled time. */
export const RETENTION_SCHEDULE_ID = 'leadflow-retention';

/** What the activity can delete (db/repositories/retention.ts decides what each never touches). */
export type RetentionKind = 'resolvedQuarantine' | 'providerEvents';

/** The schedule's argument: the runbook's figures as configured (RETENTION_*), days per kind. */
export interface RetentionPolicy {
  /** Error logs: quarantine rows already re-ingested into a lead (default 14). */
  errorLogDays: number;
  /** Processed inbound: provider webhook events of leads no longer active (default 90). */
  inboundDays: number;
  /** Rows per delete: short transactions on busy tables. */
  batchSize: number;
  /** Batches per kind per run: the next run continues a backlog, the history stays small. */
  maxBatches: number;
}

export interface RetentionBatch {
  kind: RetentionKind;
  /** ISO-8601: rows older than this go. */
  before: string;
  limit: number;
}

export interface RetentionResult {
  deleted: Record<RetentionKind, number>;
  /** Kinds that hit maxBatches: more is left for the next run. */
  unfinished: RetentionKind[];
}
