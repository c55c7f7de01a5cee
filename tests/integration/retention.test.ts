// Retention clean-up on the dev server (the time-skipping test server has no Schedules) with the
// lead worker's real registration and a real PostgreSQL: the schedule is created once and updated
// only on change; a triggered run deletes old rows in batches and leaves young and protected ones.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { sql } from 'kysely';
import { addSuppression, claimOutbox, createApiKey, quarantine, recordAudit, recordProviderEvent, recordQuarantineRetry, upsertLead } from '../../db/index.js';
import { ensureRetentionSchedule, removeRetentionSchedule } from '../../temporal/retention-schedule.js';
import { testLeadWorker } from '../helpers/lead-worker.js';
import { RETENTION_WORKFLOW_TYPE, type RetentionPolicy, type RetentionResult } from '../../workflows/retention/contract.js';
import { createDevServerEnv, implicitInboxWorkflowIds, terminateRunning, uniqueName } from '../helpers/temporal.js';
import { openTestDb, type TestDb } from '../helpers/test-db.js';

const DAY = 86_400_000;
const ago = (days: number) => new Date(Date.now() - days * DAY);

describe('retention clean-up', () => {
  let env: TestWorkflowEnvironment;
  let tdb: TestDb;

  before(async () => {
    [env, tdb] = await Promise.all([createDevServerEnv(), openTestDb()]);
  });
  after(async () => {
    await env?.teardown();
    await tdb?.close();
  });

  /** `n` provider events of a lead (or none), `age` days old, ids `${tag}-i`. */
  async function events(leadId: string | null, tag: string, n: number, age: number): Promise<void> {
    for (let i = 0; i < n; i++) await recordProviderEvent(tdb.db, { provider: 'sendgrid', eventId: `${tag}-${i}`, leadId, type: 'delivered', payload: { i } });
    await sql`update provider_events set received_at = ${ago(age)} where event_id like ${`${tag}-%`}`.execute(tdb.db);
  }

  async function quarantined(tag: string, n: number, age: number, resolved: boolean): Promise<void> {
    for (let i = 0; i < n; i++) {
      const { id } = await quarantine(tdb.db, {
        source: 'cli',
        sourceRef: `${tag}-${i}`,
        contentType: 'text/plain',
        raw: Buffer.from('x'),
        reason: 'no ADF',
        errorCode: null,
      });
      if (resolved) await recordQuarantineRetry(tdb.db, id, { leadIds: ['lead:r'] });
    }
    await sql`update quarantine set updated_at = ${ago(age)}, created_at = ${ago(age)} where source_ref like ${`${tag}-%`}`.execute(tdb.db);
  }

  const count = async (text: string) => Number((await sql<{ n: string }>`${sql.raw(`select count(*)::text as n from ${text}`)}`.execute(tdb.db)).rows[0]!.n);

  test('the schedule is created once, updated on change, and its run deletes only old, unprotected rows in batches', async () => {
    const lead = (id: string, status: string) =>
      upsertLead(tdb.db, {
        id,
        source: 'retention',
        external_id: id,
        email: `${id.slice(5)}@example.com`,
        first_name: null,
        last_name: null,
        phone: null,
        campaign_id: null,
        tier: null,
        payload: {},
        status,
      });
    await lead('lead:done', 'replied');
    await lead('lead:live', 'waiting');
    await events('lead:done', 'old-done', 7, 100);
    await events(null, 'old-none', 1, 100);
    await events('lead:live', 'old-live', 2, 100); // an active lead's evidence: kept however old
    await events('lead:done', 'young-done', 2, 80);
    await quarantined('q-old-resolved', 5, 20, true);
    await quarantined('q-young-resolved', 1, 10, true);
    await quarantined('q-old-open', 2, 200, false); // possibly a lost lead: never deleted
    // Protected tables, made old: untouched by any policy.
    await claimOutbox(tdb.db, {
      idempotencyKey: 'lead:done:step:1',
      leadId: 'lead:done',
      step: 1,
      channel: 'email',
      provider: 'local',
      recipient: 'done@example.com',
      subject: 's',
      body: 'b',
    });
    await addSuppression(tdb.db, { address: 'done@example.com', channel: 'email', reason: 'hard_bounce', leadId: 'lead:done', eventId: null });
    await createApiKey(tdb.db, 'old-key', ['read']);
    await recordAudit(tdb.db, { apiKeyId: null, apiKeyName: null, method: 'POST', route: '/x', target: null, status: 500, requestId: 'r1' });
    await sql`update outbox set created_at = ${ago(400)}, updated_at = ${ago(400)}`.execute(tdb.db);
    await sql`update suppressions set created_at = ${ago(400)}`.execute(tdb.db);
    await sql`update api_keys set created_at = ${ago(400)}`.execute(tdb.db);
    await sql`update audit_log set at = ${ago(400)}`.execute(tdb.db);
    await sql`update leads set created_at = ${ago(400)}, updated_at = ${ago(400)}`.execute(tdb.db);

    const taskQueue = uniqueName('retention');
    const scheduleId = uniqueName('retention-schedule');
    const policy: RetentionPolicy = { errorLogDays: 14, inboundDays: 90, batchSize: 2, maxBatches: 100 };
    const o = { policy, cron: '17 3 * * *', taskQueue, scheduleId };
    assert.equal(await ensureRetentionSchedule(env.client, { ...o, policy: { ...policy, batchSize: 50 } }), 'created');
    assert.equal(await ensureRetentionSchedule(env.client, { ...o, policy: { ...policy, batchSize: 50 } }), 'unchanged');
    assert.equal(await ensureRetentionSchedule(env.client, o), 'updated');
    assert.equal(await ensureRetentionSchedule(env.client, o), 'unchanged');
    const handle = env.client.schedule.getHandle(scheduleId);
    const described = await handle.describe();
    assert.equal(described.action.type === 'startWorkflow' && described.action.workflowType, RETENTION_WORKFLOW_TYPE);
    assert.deepEqual(described.action.type === 'startWorkflow' && described.action.args, [policy], 'the update reached the action');

    const worker = await testLeadWorker(env, tdb.db, { taskQueue });
    const { result, workflowId } = await worker.runUntil(async () => {
      await handle.trigger();
      let workflowId: string | undefined;
      for (let i = 0; i < 200 && workflowId === undefined; i++) {
        workflowId = (await handle.describe()).info.recentActions[0]?.action.workflow.workflowId;
        if (workflowId === undefined) await new Promise((r) => setTimeout(r, 50));
      }
      assert.ok(workflowId, 'the trigger started a run');
      return { workflowId, result: (await env.client.workflow.getHandle(workflowId).result()) as RetentionResult };
    });
    await terminateRunning(env.client, implicitInboxWorkflowIds(taskQueue));

    assert.deepEqual(result, { deleted: { resolvedQuarantine: 5, providerEvents: 8 }, unfinished: [] });
    const left = (await sql<{ event_id: string }>`select event_id from provider_events order by event_id`.execute(tdb.db)).rows.map((r) => r.event_id);
    assert.deepEqual(left, ['old-live-0', 'old-live-1', 'young-done-0', 'young-done-1']);
    assert.equal(await count(`quarantine where status = 'resolved'`), 1);
    assert.equal(await count(`quarantine where status = 'open'`), 2);
    for (const t of ['outbox', 'suppressions', 'api_keys', 'audit_log']) assert.equal(await count(t), 1, `${t} untouched`);
    assert.equal(await count('leads'), 2);

    // Batches: 8 events at 2 a batch took 4 full deletes and one that found nothing more.
    const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
    const scheduled = (history.events ?? []).filter((e) => e.activityTaskScheduledEventAttributes).length;
    assert.equal(scheduled, 3 /* quarantine: 2+2+1 */ + 5 /* events: 2+2+2+2+0 */);

    assert.equal(await removeRetentionSchedule(env.client, scheduleId), true);
    assert.equal(await removeRetentionSchedule(env.client, scheduleId), false);
  });

  test('a backlog larger than a run allows is left for the next run', async () => {
    await events(null, 'backlog', 5, 365);
    const taskQueue = uniqueName('retention-backlog');
    const worker = await testLeadWorker(env, tdb.db, { taskQueue });
    const policy: RetentionPolicy = { errorLogDays: 14, inboundDays: 90, batchSize: 2, maxBatches: 1 };
    const result = await worker.runUntil(
      env.client.workflow.execute(RETENTION_WORKFLOW_TYPE, { workflowId: uniqueName('retention-run'), taskQueue, args: [policy] }) as Promise<RetentionResult>,
    );
    await terminateRunning(env.client, implicitInboxWorkflowIds(taskQueue));
    assert.deepEqual(result, { deleted: { resolvedQuarantine: 0, providerEvents: 2 }, unfinished: ['providerEvents'] });
    assert.equal(await count(`provider_events where event_id like 'backlog-%'`), 3);
  });
});
