// The morning check on PostgreSQL and the dev server: GET /stats counts each send and each event
// once under the right inbox (the outbox's inbox, the step an event names, the implicit inbox of a
// channel), with exact rates and the stop state; GET /inboxes/:id/health answers live from the
// inbox workflow, from its saved figures when the workflow cannot answer, and from the policy for
// an inbox that never sent; the per-inbox gauges on /metrics; `leadflow stats`.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../api/app.js';
import type { InboxHealthView, StatsReport } from '../../api/schemas/stats.js';
import { createInboxStateActivities } from '../../activities/inboxes/state.js';
import { createLogger } from '../../config/logger.js';
import { createApiKey, setStopped } from '../../db/index.js';
import { DEFAULT_POLICY, inboxWorkflowId, pauseInboxSignal } from '../../workflows/inbox/contract.js';
import { LEAD_TASK_QUEUE } from '../../workflows/lead/contract.js';
import { workflowBundle } from '../../workers/bundle.js';
import { runCli } from '../helpers/cli.js';
import { TEST_LEAD_ID_SECRET, testDataConverter } from '../helpers/codec.js';
import { startDevStack, type DevStack } from '../helpers/stack.js';
import { DAY, statsSeed } from '../helpers/stats-seed.js';
import { seedMorning } from '../helpers/stats-morning.js';
import { terminateRunning } from '../helpers/temporal.js';

const dayStart = Math.floor(Date.now() / DAY) * DAY;

describe('stats and inbox health', () => {
  let stack: DevStack;
  let app: FastifyInstance;
  let read: Record<string, string>;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadflow-stats-cli-'));
  const started: string[] = [];

  const db = () => stack.tdb.db;
  const get = (url: string) => app.inject({ method: 'GET', url, headers: read });

  const seed = statsSeed(db, dayStart);
  const { registry } = seed;
  const pausedUntil = dayStart + 2 * DAY;

  before(async () => {
    stack = await startDevStack();
    app = await buildApp({ leadIdSecret: TEST_LEAD_ID_SECRET, db: db(), temporal: stack.env.client, logger: createLogger('silent') });
    read = { authorization: `Bearer ${(await createApiKey(db(), 'stats-read', ['read'])).key}` };
    await seedMorning(db(), seed, dayStart, pausedUntil);
  });
  after(async () => {
    if (stack) await terminateRunning(stack.env.client, started);
    await app?.close();
    await stack?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const counts = (s: {
    sends: number;
    deliveries: number;
    bounces: object;
    complaints: number;
    replies: number;
    bounceRate: number | null;
    complaintRate: number | null;
  }) => ({
    sends: s.sends,
    deliveries: s.deliveries,
    bounces: s.bounces,
    complaints: s.complaints,
    replies: s.replies,
    bounceRate: s.bounceRate,
    complaintRate: s.complaintRate,
  });
  const b = (hard: number, soft: number, block: number) => ({ hard, soft, block, total: hard + soft + block });

  test("today's figures per inbox and in total, each send and event counted once, and the stop state", async () => {
    const res = await get('/stats');
    assert.equal(res.statusCode, 200, res.body);
    const report = res.json<StatsReport>();
    assert.equal(report.since, new Date(dayStart).toISOString());
    const by = Object.fromEntries(report.inboxes.map((i) => [i.inboxId, i]));
    assert.deepEqual(
      report.inboxes.map((i) => i.inboxId),
      ['default', 'default-sms', 'rep-a', 'rep-b', 'rep-c'],
    );
    assert.deepEqual(counts(by['rep-a']!), { sends: 5, deliveries: 2, bounces: b(1, 1, 0), complaints: 1, replies: 1, bounceRate: 0.2, complaintRate: 0.2 });
    assert.deepEqual(counts(by['rep-b']!), { sends: 3, deliveries: 1, bounces: b(1, 0, 1), complaints: 0, replies: 0, bounceRate: 2 / 3, complaintRate: 0 });
    assert.deepEqual(counts(by.default!), { sends: 1, deliveries: 0, bounces: b(2, 0, 0), complaints: 0, replies: 0, bounceRate: 2, complaintRate: 0 });
    assert.deepEqual(counts(by['default-sms']!), { sends: 1, deliveries: 1, bounces: b(0, 0, 0), complaints: 0, replies: 1, bounceRate: 0, complaintRate: 0 });
    assert.deepEqual(counts(by['rep-c']!), { sends: 0, deliveries: 0, bounces: b(0, 0, 0), complaints: 0, replies: 0, bounceRate: null, complaintRate: null });
    assert.deepEqual(counts(report.total), { sends: 10, deliveries: 4, bounces: b(4, 1, 1), complaints: 1, replies: 2, bounceRate: 0.5, complaintRate: 0.1 });
    assert.deepEqual(
      report.inboxes.map((i) => [i.inboxId, i.implicit, i.channel, i.health, i.paused]),
      [
        ['default', true, 'email', 100, false],
        ['default-sms', true, 'sms', 100, false],
        ['rep-a', false, 'email', 73, true],
        ['rep-b', false, 'email', 90, false],
        ['rep-c', false, 'email', 90, false],
      ],
    );
    assert.equal(report.control.stopped, false);
  });

  test('?since= reaches back; a bad since is a 400 naming it', async () => {
    const since = new Date(dayStart - 2 * 3_600_000).toISOString();
    const res = await get(`/stats?since=${encodeURIComponent(since)}`);
    assert.equal(res.statusCode, 200, res.body);
    const report = res.json<StatsReport>();
    assert.equal(report.since, since);
    const a = report.inboxes.find((i) => i.inboxId === 'rep-a')!;
    assert.deepEqual([a.sends, a.replies, report.total.sends, report.total.replies], [6, 2, 11, 3]);
    // A leap second passes the format check and no Date holds it: still a 400 naming the parameter.
    for (const bad of ['yesterday', '2026-13-01T00:00:00Z', '2026-12-01', '2026-12-31T23:59:60Z']) {
      const refused = await get(`/stats?since=${encodeURIComponent(bad)}`);
      assert.equal(refused.statusCode, 400, bad);
      assert.match(refused.headers['content-type'] as string, /application\/problem\+json/);
      assert.equal(refused.json<{ errors: Array<{ field: string }> }>().errors[0]?.field, '/since');
    }
    assert.equal((await get('/stats?sinse=2026-12-01T00:00:00Z')).statusCode, 400, 'an unknown parameter is refused');
  });

  test('inbox health: the saved figures, a saved day that has ended, the policy of one that never sent, 404 for an unknown inbox', async () => {
    const a = (await get('/inboxes/rep-a/health')).json<InboxHealthView>();
    assert.equal(a.source, 'stored');
    assert.match(a.sourceDetail ?? '', /has not run yet/);
    assert.ok(a.savedAt !== null);
    assert.deepEqual([a.score, a.rampDay, a.dailyLimit, a.grantedToday, a.remainingToday], [73, 10, 10, 4, 6]);
    assert.deepEqual(a.inputs, { sent: 40, bounces: 1, complaints: 0, replies: 1, bounceRate: 0.025, complaintRate: 0, replyRate: 0.025, ageDays: 9 });
    assert.deepEqual(a.parts, { bounce: 20, complaint: 30, reply: 20, age: 3.2 });
    assert.equal(a.paused, true);
    assert.equal(a.pausedUntil, new Date(pausedUntil).toISOString());
    assert.deepEqual([a.pause?.kind, a.pause?.reason, a.pause?.by], ['operator', 'checking the DNS records', 'api-key:ops']);
    assert.deepEqual(a.warnings, ['health 73 is below 80: at most 10 messages a day']);

    const c = (await get('/inboxes/rep-c/health')).json<InboxHealthView>();
    assert.equal(c.source, 'stored');
    assert.deepEqual(
      [c.today, c.rampDay, c.dailyLimit, c.grantedToday, c.sentToday, c.remainingToday],
      [new Date(dayStart).toISOString().slice(0, 10), 1, 5, 0, 0, 5],
    );
    assert.deepEqual([c.paused, c.pause], [false, null], 'the block pause ran out');

    const fresh = (await get('/inboxes/rep-b/health')).json<InboxHealthView>();
    assert.equal(fresh.source, 'policy');
    assert.equal(fresh.savedAt, null);
    // Day 1 of the runbook ramp; the rate parts are not judged before any sends, age 0 earns no age points.
    assert.deepEqual([fresh.score, fresh.rampDay, fresh.dailyLimit, fresh.grantedToday, fresh.remainingToday, fresh.paused], [90, 1, 5, 0, 5, false]);
    assert.deepEqual(fresh.inputs, { sent: 0, bounces: 0, complaints: 0, replies: 0, bounceRate: 0, complaintRate: 0, replyRate: 0, ageDays: 0 });
    assert.deepEqual(fresh.parts, { bounce: 40, complaint: 30, reply: 20, age: 0 });

    const implicit = (await get('/inboxes/default-sms/health')).json<InboxHealthView>();
    assert.deepEqual([implicit.source, implicit.score, implicit.dailyLimit, implicit.remainingToday], ['policy', 100, 100_000, 100_000]);

    const unknown = await get('/inboxes/nope/health');
    assert.equal(unknown.statusCode, 404);
    assert.match(unknown.headers['content-type'] as string, /application\/problem\+json/);
    assert.equal(unknown.json<{ detail: string }>().detail, 'no inbox nope');
  });

  test('inbox health is live while the workflow answers, and the saved figures within ~2 s once no worker does', async () => {
    await registry('rep-live');
    // The product's queue (this file has its own dev server): the figures are saved under the plain inbox id there.
    const taskQueue = LEAD_TASK_QUEUE;
    const worker = await Worker.create({
      connection: stack.env.nativeConnection,
      namespace: 'default',
      taskQueue,
      workflowBundle: await workflowBundle(),
      activities: createInboxStateActivities(db()),
      dataConverter: testDataConverter,
    });
    const running = worker.run();
    started.push(inboxWorkflowId('rep-live'));
    try {
      const h = await stack.env.client.workflow.start('inboxWorkflow', {
        workflowId: inboxWorkflowId('rep-live'),
        taskQueue,
        args: [{ inboxId: 'rep-live', policy: DEFAULT_POLICY, createdAt: Date.now() }],
      });
      await h.signal(pauseInboxSignal, { by: 'api-key:ops', reason: 'new DNS', until: null });
      const live = (await get('/inboxes/rep-live/health')).json<InboxHealthView>();
      assert.deepEqual([live.source, live.sourceDetail, live.paused, live.pause?.reason, live.pausedUntil], ['live', null, true, 'new DNS', null]);
      assert.deepEqual([live.rampDay, live.dailyLimit], [1, 5]);
      // The loop saves its figures within a few seconds of a change.
      for (
        let i = 0;
        i < 100 && (await db().selectFrom('inbox_state').select('inbox_id').where('inbox_id', '=', 'rep-live').executeTakeFirst()) === undefined;
        i++
      )
        await new Promise((r) => setTimeout(r, 100));
    } finally {
      worker.shutdown();
      await running;
    }
    const t0 = Date.now();
    const stored = (await get('/inboxes/rep-live/health')).json<InboxHealthView>();
    // Well under an unbounded query's wait; sourceDetail below names the 2 s deadline that cut it.
    assert.ok(Date.now() - t0 < 8_000, 'bounded by the query deadline');
    assert.equal(stored.source, 'stored');
    assert.match(stored.sourceDetail ?? '', /did not answer within 2 s/);
    assert.deepEqual([stored.paused, stored.pause?.reason], [true, 'new DNS']);
  });

  test('/metrics carries the per-inbox gauges with the figures of the report; the routes are documented', async () => {
    const spec = (await app.inject({ method: 'GET', url: '/docs/json' })).json<{ paths: Record<string, unknown> }>();
    for (const p of ['/stats', '/inboxes/{id}/health']) assert.ok(spec.paths[p], `${p} documented`);
    const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    for (const line of [
      'leadflow_inbox_sends_today{inbox="rep-a"} 5',
      'leadflow_inbox_sends_today{inbox="rep-c"} 0',
      'leadflow_inbox_sends_today{inbox="default"} 1',
      'leadflow_inbox_deliveries_today{inbox="rep-a"} 2',
      'leadflow_inbox_bounces_today{inbox="rep-a",kind="hard"} 1',
      'leadflow_inbox_bounces_today{inbox="rep-a",kind="soft"} 1',
      'leadflow_inbox_bounces_today{inbox="rep-b",kind="block"} 1',
      'leadflow_inbox_complaints_today{inbox="rep-a"} 1',
      'leadflow_inbox_replies_today{inbox="default-sms"} 1',
      'leadflow_inbox_health{inbox="rep-a"} 73',
      'leadflow_inbox_health{inbox="rep-b"} 90',
      'leadflow_inbox_daily_limit{inbox="rep-a"} 10',
      'leadflow_inbox_daily_limit{inbox="rep-b"} 5',
      'leadflow_inbox_remaining_today{inbox="rep-a"} 6',
      'leadflow_inbox_remaining_today{inbox="rep-c"} 5',
      'leadflow_inbox_paused{inbox="rep-a"} 1',
      'leadflow_inbox_paused{inbox="rep-b"} 0',
      'leadflow_emergency_stop_active 0',
    ])
      assert.ok(
        text.includes(`\n${line}\n`),
        `${line} in\n${text
          .split('\n')
          .filter((l) => l.startsWith('leadflow_inbox') || l.startsWith('leadflow_emergency'))
          .join('\n')}`,
      );
  });

  test('leadflow stats: the same report as JSON and as a table, and the stop once it is set', async () => {
    const env = { DATABASE_URL: stack.tdb.url, LEADFLOW_DATA_DIR: dataDir };
    const api = (await get('/stats')).json<StatsReport>();
    const json = await runCli(['stats', '--json'], env);
    assert.equal(json.code, 0, json.stderr);
    const cli = JSON.parse(json.stdout) as StatsReport;
    assert.deepEqual(cli.total, api.total);
    assert.deepEqual(cli.inboxes, api.inboxes);

    await setStopped(db(), { reason: 'bounce storm', by: 'ops' });
    const table = await runCli(['stats'], env);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^rep-a\s+5\s+2\s+1\s+1\s+0\s+1\s+1\s+20\.0%\s+20\.0%\s+73\s+paused$/m);
    assert.match(table.stdout, /^TOTAL\s+10\s+4\s+4\s+1\s+1\s+1\s+2\s+50\.0%\s+10\.0%$/m);
    assert.match(table.stdout, /SENDING STOPPED since .* by ops: bounce storm/);
    assert.equal((await get('/stats')).json<StatsReport>().control.stopped, true);

    const bad = await runCli(['stats', '--since', 'last tuesday'], env);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /--since must be an ISO-8601 time/);
  });
});
