// The retention clean-up's Temporal Schedule, made to match the configuration by every worker at
// start: created when missing, updated when the policy, cron or task queue differ, left alone
// otherwise (so N workers starting together change it at most once each, and a restart none).
// What the schedule was made from is fingerprinted into its note: the server rewrites cron
// expressions into calendar specs, so comparing specs field by field would never find "equal".
import { createHash } from 'node:crypto';
import { ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy, type Client, type ScheduleOptions } from '@temporalio/client';
import type { RetentionConfig } from '../config/retention.js';
import { LEAD_TASK_QUEUE } from '../workflows/lead/contract.js';
import { RETENTION_SCHEDULE_ID, RETENTION_WORKFLOW_TYPE, type RetentionPolicy } from '../workflows/retention/contract.js';

export interface RetentionScheduleOptions {
  policy: RetentionPolicy;
  /** Cron (UTC). */
  cron: string;
  /** Tests use their own queue and id; production the lead worker's queue and the fixed id. */
  taskQueue?: string;
  scheduleId?: string;
}

export type ScheduleOutcome = 'created' | 'updated' | 'unchanged';

function desired(o: RetentionScheduleOptions): Omit<ScheduleOptions, 'scheduleId'> & { state: { note: string } } {
  const taskQueue = o.taskQueue ?? LEAD_TASK_QUEUE;
  const fingerprint = createHash('sha256')
    .update(JSON.stringify([o.policy, o.cron, taskQueue]))
    .digest('hex')
    .slice(0, 16);
  return {
    spec: { cronExpressions: [o.cron] },
    action: { type: 'startWorkflow', workflowType: RETENTION_WORKFLOW_TYPE, workflowId: o.scheduleId ?? RETENTION_SCHEDULE_ID, taskQueue, args: [o.policy] },
    // A run still deleting a backlog when the next is due: skip, never two at once; a day's
    // outage is caught up once.
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' },
    state: { note: `managed by leadflow workers (RETENTION_*): config ${fingerprint}` },
  };
}

export async function ensureRetentionSchedule(client: Client, o: RetentionScheduleOptions): Promise<ScheduleOutcome> {
  const scheduleId = o.scheduleId ?? RETENTION_SCHEDULE_ID;
  const want = desired(o);
  const handle = client.schedule.getHandle(scheduleId);
  try {
    const current = await handle.describe();
    if (current.state.note === want.state.note) return 'unchanged';
    // An operator's pause survives a config change; only what the config decides is replaced.
    await handle.update((prev) => ({
      ...prev,
      spec: want.spec,
      action: want.action,
      policies: want.policies,
      state: { ...prev.state, note: want.state.note },
    }));
    return 'updated';
  } catch (error) {
    if (!(error instanceof ScheduleNotFoundError)) throw error;
  }
  try {
    await client.schedule.create({ scheduleId, ...want });
    return 'created';
  } catch (error) {
    // Another worker created it between our describe and create: theirs is built from the same config.
    if (error instanceof ScheduleAlreadyRunning) return 'unchanged';
    throw error;
  }
}

/** Removes the schedule (RETENTION_SCHEDULE=off); true when there was one. */
export async function removeRetentionSchedule(client: Client, scheduleId = RETENTION_SCHEDULE_ID): Promise<boolean> {
  try {
    await client.schedule.getHandle(scheduleId).delete();
    return true;
  } catch (error) {
    if (error instanceof ScheduleNotFoundError) return false;
    throw error;
  }
}

/** The schedule as RETENTION_* says: made to match, or removed when RETENTION_SCHEDULE=off. */
export async function syncRetentionSchedule(client: Client, r: RetentionConfig): Promise<ScheduleOutcome | 'removed' | 'off'> {
  if (r.cron === undefined) return (await removeRetentionSchedule(client)) ? 'removed' : 'off';
  const policy: RetentionPolicy = { errorLogDays: r.errorLogDays, inboundDays: r.inboundDays, batchSize: r.batchSize, maxBatches: r.maxBatches };
  return ensureRetentionSchedule(client, { policy, cron: r.cron });
}
