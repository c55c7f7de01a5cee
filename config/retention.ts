// RETENTION_*: the runbook's retention figures (docs/backup.md#retention) and when the clean-up
// runs. Parsed with the rest of the config, so a bad value stops the worker naming the variable.
import { ConfigError, int, str, type Env } from './env-parse.js';

export interface RetentionConfig {
  /** Resolved quarantine rows ("error logs"), days. */
  errorLogDays: number;
  /** Provider webhook events of finished leads ("processed inbound"), days. */
  inboundDays: number;
  batchSize: number;
  maxBatches: number;
  /** Cron in UTC for the Temporal Schedule; undefined: RETENTION_SCHEDULE=off, the workers remove it. */
  cron: string | undefined;
}

export function retentionConfig(env: Env): RetentionConfig {
  const cron = str(env, 'RETENTION_SCHEDULE', '17 3 * * *');
  if (cron !== 'off' && cron.split(/\s+/).length !== 5)
    throw new ConfigError(`RETENTION_SCHEDULE must be a 5-field cron expression (UTC) or off, got "${cron}"`);
  return {
    errorLogDays: int(env, 'RETENTION_ERROR_LOG_DAYS', 14, 1, 36_500),
    inboundDays: int(env, 'RETENTION_INBOUND_DAYS', 90, 1, 36_500),
    batchSize: int(env, 'RETENTION_BATCH_SIZE', 1000, 1, 100_000),
    maxBatches: int(env, 'RETENTION_MAX_BATCHES', 500, 1, 100_000),
    cron: cron === 'off' ? undefined : cron,
  };
}
