// The emergency stop end to end on the dev server: the API's routes (admin only, problem+json on
// bad input), the control workflow started by the first stop (update-with-start), its activities
// writing the flag on a real PostgreSQL, a repeated stop, the resume ramp, the query, the metric,
// the audit trail, and continue-as-new carrying the state into the next run; a run started on the
// lead queue (before the control queue) moving to its own queue with its first command.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../api/app.js';
import { createControlActivities } from '../../activities/control/index.js';
import { createLogger } from '../../config/logger.js';
import { createApiKey, isSendingStopped, listAudit, takeRampPermit } from '../../db/index.js';
import { emergencyStop, queryControlState, resumeSending } from '../../temporal/control-client.js';
import {
  CONTROL_OWN_QUEUE_PATCH,
  CONTROL_WORKFLOW_ID,
  CONTROL_WORKFLOW_TYPE,
  controlTaskQueue,
  emergencyStopUpdate,
  type ControlState,
} from '../../workflows/control/contract.js';
import { LEAD_TASK_QUEUE } from '../../workflows/lead/contract.js';
import { runCli } from '../helpers/cli.js';
import { TEST_LEAD_ID_SECRET, testDataConverter } from '../helpers/codec.js';
import { createDevServerEnv } from '../helpers/temporal.js';
import { openTestDb, type TestDb } from '../helpers/test-db.js';

describe('control workflow and API (dev server, PostgreSQL)', () => {
  let env: TestWorkflowEnvironment;
  let tdb: TestDb;
  let worker: Worker;
  let running: Promise<void>;
  let app: FastifyInstance;
  const auth: Record<'read' | 'admin', Record<string, string>> = { read: {}, admin: {} };

  before(async () => {
    [env, tdb] = await Promise.all([createDevServerEnv(), openTestDb()]);
    // Only the control workflow: its test must not depend on every other workflow's bundle.
    worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: controlTaskQueue(LEAD_TASK_QUEUE),
      workflowsPath: fileURLToPath(new URL('../../workflows/control/workflow.ts', import.meta.url)),
      activities: createControlActivities({ db: tdb.db }),
      dataConverter: testDataConverter,
    });
    running = worker.run();
    app = await buildApp({ leadIdSecret: TEST_LEAD_ID_SECRET, db: tdb.db, temporal: env.client, logger: createLogger('silent', 'api') });
    for (const scope of ['read', 'admin'] as const) auth[scope] = { authorization: `Bearer ${(await createApiKey(tdb.db, `${scope}-operator`, [scope])).key}` };
  });
  after(async () => {
    await app?.close();
    worker?.shutdown();
    await running;
    await env?.teardown();
    await tdb?.close();
  });

  const post = (url: string, payload: unknown, headers = auth.admin) => app.inject({ method: 'POST', url, payload: payload as object, headers });
  const problem = (res: Awaited<ReturnType<typeof post>>, status: number) => {
    assert.equal(res.statusCode, status, res.body);
    assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
    return res.json<{ detail: string; errors?: Array<{ field: string }> }>();
  };
  const metric = async () => /^leadflow_emergency_stop_active (\S+)$/m.exec((await app.inject({ method: 'GET', url: '/metrics' })).body)?.[1];

  test('before any stop: running, no ramp; the metric reads 0', async () => {
    const res = await app.inject({ method: 'GET', url: '/control', headers: auth.read });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(
      { ...res.json<ControlState>(), updatedAt: null },
      {
        stopped: false,
        reason: null,
        stoppedBy: null,
        stoppedAt: null,
        resumedBy: null,
        resumedAt: null,
        ramp: null,
        updatedAt: null,
      },
    );
    assert.equal(await metric(), '0');
  });

  test('bad input is a problem naming the field, and nothing is stopped', async () => {
    assert.deepEqual(problem(await post('/control/emergency-stop', {}), 400).errors?.[0]?.field, '/reason');
    assert.match(problem(await post('/control/emergency-stop', { reason: 'x', who: 'me' }), 400).detail, /who|additional/);
    problem(await post('/control/emergency-stop', { reason: '   ' }), 400);
    problem(await post('/control/emergency-stop', { reason: 'x'.repeat(501) }), 400);
    problem(await post('/control/resume', { ramp: { initialPerMinute: 0 } }), 400);
    problem(await post('/control/resume', { ramp: { perMinute: 5 } }), 400);
    problem(await post('/control/emergency-stop', { reason: 'read keys cannot stop' }, auth.read), 403);
    problem(await app.inject({ method: 'POST', url: '/control/emergency-stop', payload: { reason: 'no key' } }), 401);
    assert.equal(await isSendingStopped(tdb.db), false);
  });

  test('a stop answers only after the commit, names the key, and starts the singleton; a repeat answers the same state', async () => {
    const res = await post('/control/emergency-stop', { reason: ' complaint spike on dealer-a.example ' });
    assert.equal(res.statusCode, 200, res.body);
    const state = res.json<ControlState>();
    assert.equal(state.stopped, true);
    assert.equal(state.reason, 'complaint spike on dealer-a.example');
    assert.equal(state.stoppedBy, 'admin-operator');
    assert.equal(await isSendingStopped(tdb.db), true, 'committed before the answer');
    assert.equal((await env.client.workflow.getHandle(CONTROL_WORKFLOW_ID).describe()).status.name, 'RUNNING');

    const again = await post('/control/emergency-stop', { reason: 'second operator, same incident' });
    assert.equal(again.statusCode, 200);
    assert.equal(again.json<ControlState>().stoppedAt, state.stoppedAt);
    assert.equal(again.json<ControlState>().reason, state.reason, 'the first reason stands');

    const shown = (await app.inject({ method: 'GET', url: '/control', headers: auth.read })).json<ControlState>();
    assert.equal(shown.stoppedBy, 'admin-operator');
    assert.equal(shown.stoppedAt, state.stoppedAt);
    assert.deepEqual(await queryControlState(env.client), again.json<ControlState>());
    assert.equal(await metric(), '1');
  });

  test('resume lifts the stop under the ramp asked for (defaults filled in); the audit log has the start, end, who and why', async () => {
    const res = await post('/control/resume', { ramp: { initialPerMinute: 5 } });
    assert.equal(res.statusCode, 200, res.body);
    const state = res.json<ControlState>();
    assert.equal(state.stopped, false);
    assert.equal(state.resumedBy, 'admin-operator');
    assert.equal(state.ramp?.initialPerMinute, 5);
    assert.equal(state.ramp?.doublingEveryMinutes, 60);
    assert.equal(state.ramp?.active, true);
    assert.equal(await isSendingStopped(tdb.db), false);
    assert.notEqual(await takeRampPermit(tdb.db, Date.now()), null, 'sends now take ramp permits');
    assert.equal(await metric(), '0');

    const rows = await listAudit(tdb.db, { limit: 50, offset: 0 });
    const control = rows.filter((r) => r.method === 'CONTROL');
    assert.deepEqual(
      control.map((r) => r.route),
      ['resume', 'emergency-stop'],
      'one row per change: the repeated stop changed nothing',
    );
    assert.equal(control[0]?.detail?.reason, 'complaint spike on dealer-a.example');
    assert.equal(control[0]?.detail?.stoppedAt, state.stoppedAt);
    assert.equal(control[0]?.detail?.resumedAt, state.resumedAt);
    assert.equal(control[1]?.api_key_name, 'admin-operator');
    assert.ok(rows.some((r) => r.route === '/control/emergency-stop' && r.status === 200 && r.api_key_name === 'admin-operator'));
  });

  test('an invalid update is refused by the validator without failing the workflow', async () => {
    const err = await emergencyStop(env.client, { reason: '', by: 'cli:test' }).catch((e: unknown) => e);
    assert.ok(err instanceof WorkflowUpdateFailedError, String(err));
    assert.equal((await env.client.workflow.getHandle(CONTROL_WORKFLOW_ID).describe()).status.name, 'RUNNING');
  });

  test('continue-as-new after N updates carries the state; the next run keeps answering', async () => {
    const workflowId = 'leadflow-control-can-test';
    const o = { workflowId, input: { maxUpdatesPerRun: 2 } };
    const first = await emergencyStop(env.client, { reason: 'run one', by: 'cli:ops' }, o);
    const firstRun = (await env.client.workflow.getHandle(workflowId).describe()).runId;
    await emergencyStop(env.client, { reason: 'run one, again', by: 'cli:ops' }, o);
    let secondRun = firstRun;
    for (let i = 0; i < 100 && secondRun === firstRun; i++) {
      await new Promise((r) => setTimeout(r, 50));
      secondRun = (await env.client.workflow.getHandle(workflowId).describe()).runId;
    }
    assert.notEqual(secondRun, firstRun, 'a new run after two updates');
    assert.deepEqual(await queryControlState(env.client, { workflowId }), first, 'the state came along');
    const resumed = await resumeSending(env.client, { by: 'cli:ops', ramp: null }, o);
    assert.equal(resumed.stopped, false);
    assert.equal(resumed.ramp, null);
  });

  test('a run started on the lead queue takes its first stop on the control queue, then continues as new there', async () => {
    // What an upgraded deployment finds: its singleton on the lead queue. A worker there runs the
    // control workflow but has no control activities, so a stop scheduled there would never end.
    const workflowId = 'leadflow-control-legacy-queue';
    const legacy = await env.client.workflow.start(CONTROL_WORKFLOW_TYPE, { workflowId, taskQueue: LEAD_TASK_QUEUE, args: [{}] });
    const firstRun = env.client.workflow.getHandle(workflowId, legacy.firstExecutionRunId);
    const stopping = legacy.executeUpdate(emergencyStopUpdate, { args: [{ reason: 'legacy run', by: 'cli:ops' }] });
    const leadQueueWorker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: LEAD_TASK_QUEUE,
      workflowsPath: fileURLToPath(new URL('../../workflows/control/workflow.ts', import.meta.url)),
      dataConverter: testDataConverter,
    });
    await leadQueueWorker.runUntil(async () => {
      const acked = await stopping;
      assert.equal(acked.stopped, true);
      assert.equal(await isSendingStopped(tdb.db), true);
      let next: string | undefined;
      for (let i = 0; i < 100 && next === undefined; i++) {
        const events = (await firstRun.fetchHistory()).events ?? [];
        next = events.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
        if (next === undefined) await new Promise((r) => setTimeout(r, 50));
        else {
          const scheduled = events.flatMap((e) => (e.activityTaskScheduledEventAttributes ? [e.activityTaskScheduledEventAttributes] : []));
          assert.deepEqual(
            scheduled.map((a) => a.taskQueue?.name),
            [controlTaskQueue(LEAD_TASK_QUEUE)],
            'the stop ran on the control queue',
          );
          const markers = events.flatMap((e) => (e.markerRecordedEventAttributes?.markerName === 'core_patch' ? [e.markerRecordedEventAttributes] : []));
          const patchData = markers.flatMap((m) => m.details?.['patch-data']?.payloads ?? []).map((p) => Buffer.from(p.data ?? []).toString());
          assert.ok(
            patchData.some((d) => d.includes(CONTROL_OWN_QUEUE_PATCH)),
            `the patch marker: ${patchData.join()}`,
          );
          assert.equal(events.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.taskQueue?.name, controlTaskQueue(LEAD_TASK_QUEUE));
        }
      }
      assert.ok(next !== undefined, 'the legacy run continued as new');
      const moved = await env.client.workflow.getHandle(workflowId).describe();
      assert.equal(moved.taskQueue, controlTaskQueue(LEAD_TASK_QUEUE));
      assert.deepEqual(await queryControlState(env.client, { workflowId }), acked, 'the state came along');
      const resumed = await resumeSending(env.client, { by: 'cli:ops', ramp: null }, { workflowId });
      assert.equal(resumed.stopped, false);
    });
  });

  test('the CLI: stop with a reason, control shows it, resume with a ramp', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadflow-control-cli-'));
    const vars = { DATABASE_URL: tdb.url, TEMPORAL_ADDRESS: env.address, TEMPORAL_EMBEDDED: 'false', LEADFLOW_DATA_DIR: dataDir };
    try {
      const stop = await runCli(['stop', '--reason', 'cli drill', '--by', 'cli:tester', '--json'], vars);
      assert.equal(stop.code, 0, stop.stderr);
      assert.equal((JSON.parse(stop.stdout) as ControlState).stoppedBy, 'cli:tester');
      const shown = await runCli(['control'], vars);
      assert.equal(shown.code, 0, shown.stderr);
      assert.match(shown.stdout, /SENDING STOPPED since \S+ by cli:tester: cli drill/);
      const missing = await runCli(['stop'], vars);
      assert.notEqual(missing.code, 0);
      assert.match(missing.stderr, /--reason/);
      const resume = await runCli(['resume', '--per-minute', '3', '--doubling-minutes', '30'], vars);
      assert.equal(resume.code, 0, resume.stderr);
      assert.match(resume.stdout, /ramp: 3\/min now \(from 3\/min at \S+, doubling every 30 min/);
      assert.equal(await isSendingStopped(tdb.db), false);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
