// The inbox workflow on the time-skipping server: six simulated weeks of a new inbox in seconds,
// with a sender that always has more leads than the inbox may take. Every grant is checked against
// the runbook's ramp, the window and the gap; then bounces, a block and an operator's resume.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createLeadWorker } from '../../workers/lead-worker.js';
import {
  DEFAULT_POLICY,
  inboxEventSignal,
  inboxStatusQuery,
  inboxWorkflowId,
  pauseInboxSignal,
  reserveSlotUpdate,
  resumeInboxSignal,
  RUNBOOK_RAMP,
  TRANSACTIONAL_POLICY,
  type InboxEventKind,
  type InboxPolicy,
  type SlotAnswer,
} from '../../workflows/inbox/contract.js';
import { LEAD_TASK_QUEUE } from '../../workflows/lead/contract.js';
import { testServices } from '../helpers/services.js';
import { createTimeSkippingEnv, terminateRunning, uniqueName } from '../helpers/temporal.js';
import { openTestDb, type TestDb } from '../helpers/test-db.js';
import { getInboxState } from '../../db/index.js';
import { testDataConverter } from '../helpers/codec.js';

const DAY = 86_400_000;

describe('inbox workflow: warm-up, window, gap and health (time-skipping server)', () => {
  let env: TestWorkflowEnvironment;
  let tdb: TestDb;
  let worker: Worker;
  let running: Promise<void>;
  const started: string[] = [];

  before(async () => {
    [env, tdb] = await Promise.all([createTimeSkippingEnv(), openTestDb()]);
    worker = await createLeadWorker({
      connection: env.nativeConnection,
      client: env.client,
      namespace: 'default',
      db: tdb.db,
      services: testServices(),
      dataConverter: testDataConverter,
    });
    running = worker.run();
  });
  after(async () => {
    if (env) await terminateRunning(env.client, started);
    worker?.shutdown();
    await running;
    await env?.teardown();
    await tdb?.close();
  });

  async function startInbox(policy: InboxPolicy) {
    const inboxId = uniqueName('inbox');
    const createdAt = await env.currentTimeMs();
    const h = await env.client.workflow.start('inboxWorkflow', {
      workflowId: inboxWorkflowId(inboxId),
      taskQueue: LEAD_TASK_QUEUE,
      args: [{ inboxId, policy, createdAt }],
    });
    started.push(h.workflowId);
    let n = 0;
    const reserve = (key = `k${++n}`): Promise<SlotAnswer> =>
      h.executeUpdate(reserveSlotUpdate, { args: [{ key, leadId: `lead-${key}` }], updateId: `reserve:${key}` });
    const event = (kind: InboxEventKind, key?: string) => h.signal(inboxEventSignal, { eventId: uniqueName(kind), kind, key: key ?? null });
    return { inboxId, createdAt, h, reserve, event };
  }

  test('six weeks of a new, healthy inbox: each day takes exactly the ramp, inside the window, spaced by the gap', async () => {
    // The inbox is born at the next UTC midnight, on the skipped clock: born on the real clock,
    // late in the 9–17 window, its first day held only what still fit (2 of 5 at 16:55 UTC).
    const bornAt = await env.currentTimeMs();
    await env.sleep(DAY - (bornAt % DAY) + 1_000);
    const inbox = await startInbox(DEFAULT_POLICY);
    const sends: number[] = [];
    for (let i = 0; ; i++) {
      const key = `s${i}`;
      const slot = await inbox.reserve(key);
      assert.equal(slot.kind, 'granted', JSON.stringify(slot));
      if (slot.kind !== 'granted') return;
      assert.deepEqual(await inbox.reserve(key), slot, 'a repeated request gets the same slot');
      if (slot.sendAt >= inbox.createdAt + 42 * DAY) break;
      const now = await env.currentTimeMs();
      if (slot.sendAt > now) await env.sleep(slot.sendAt - now);
      await inbox.event('sent', key);
      // A healthy inbox: one reply in 25 messages (4%), no bounces, no complaints.
      if (i % 25 === 24) await inbox.event('reply');
      sends.push(slot.sendAt);
    }
    const byDay = new Map<string, number[]>();
    for (const t of sends) byDay.set(new Date(t).toISOString().slice(0, 10), [...(byDay.get(new Date(t).toISOString().slice(0, 10)) ?? []), t]);
    const firstDay = Date.UTC(...(utcYmd(inbox.createdAt) as [number, number, number]));
    for (let d = 0; d < 42; d++) {
      const date = new Date(firstDay + d * DAY);
      const key = date.toISOString().slice(0, 10);
      const weekday = date.getUTCDay() >= 1 && date.getUTCDay() <= 5;
      const expected = weekday ? (RUNBOOK_RAMP[Math.min(Math.floor(d / 7), RUNBOOK_RAMP.length - 1)] ?? 0) : 0;
      assert.equal(byDay.get(key)?.length ?? 0, expected, `day ${d + 1} (${key}, ${weekday ? 'weekday' : 'weekend'})`);
    }
    for (const [i, t] of sends.entries()) {
      const at = new Date(t);
      assert.ok(at.getUTCHours() >= 9 && at.getUTCHours() < 17, `send ${i} at ${at.toISOString()} is inside 9–17`);
      const prev = sends[i - 1];
      if (prev !== undefined && new Date(prev).toISOString().slice(0, 10) === at.toISOString().slice(0, 10)) {
        const gap = (t - prev) / 1000;
        assert.ok(gap >= 300 && gap <= 900 + 1, `gap ${gap} s between sends ${i - 1} and ${i} is 5–15 minutes`);
      }
    }
    const status = await inbox.h.query(inboxStatusQuery);
    const now = await env.currentTimeMs();
    assert.equal(status.rampDay, Math.round((Date.UTC(...(utcYmd(now) as [number, number, number])) - firstDay) / DAY) + 1);
    assert.ok(status.health.score >= 90, `a clean inbox stays healthy (${status.health.score})`);
    const saved = await getInboxState(tdb.db, inbox.inboxId);
    assert.equal(saved?.health, status.health.score, 'the figures are saved for the API and the send guard');
  });

  test('bounces lower the health, a bounce rate over 5% pauses the inbox, an operator resumes it; a block pauses it 24 hours', async () => {
    const inbox = await startInbox({ ...TRANSACTIONAL_POLICY, healthMinSample: 20 });
    for (let i = 0; i < 20; i++) {
      const slot = await inbox.reserve(`b${i}`);
      assert.equal(slot.kind, 'granted');
      await inbox.event('sent', `b${i}`);
    }
    await inbox.event('reply');
    const healthy = await inbox.h.query(inboxStatusQuery);
    assert.equal(healthy.health.inputs.sent, 20);
    await inbox.event('hard_bounce');
    const warned = await inbox.h.query(inboxStatusQuery);
    assert.ok(warned.health.score < healthy.health.score, `one bounce in 20 lowers the health (${healthy.health.score} → ${warned.health.score})`);
    assert.ok(
      warned.warnings.some((w) => w.includes('over 3.0%')),
      JSON.stringify(warned.warnings),
    );
    assert.equal(warned.pause, null, 'exactly 5% warns but does not pause');
    assert.equal(warned.dailyLimit, 10, 'health below 80 cuts the daily limit to 10');

    await inbox.event('hard_bounce');
    const paused = await inbox.h.query(inboxStatusQuery);
    assert.equal(paused.pause?.kind, 'bounce_rate');
    const refused = await inbox.reserve();
    assert.equal(refused.kind, 'wait');
    assert.match(refused.kind === 'wait' ? refused.reason : '', /bounce rate 10\.0% is over 5\.0%/);

    await inbox.h.signal(resumeInboxSignal, { by: 'ops@dealer.example' });
    const resumed = await inbox.reserve();
    assert.equal(resumed.kind, 'granted', 'an operator may resume early; the health starts afresh');
    assert.equal((await inbox.h.query(inboxStatusQuery)).health.inputs.bounces, 0);

    await inbox.event('block_bounce');
    const blocked = await inbox.reserve();
    assert.equal(blocked.kind, 'wait');
    assert.match(blocked.kind === 'wait' ? blocked.reason : '', /blocked/);
    await env.sleep(DAY + 60_000);
    assert.equal((await inbox.reserve()).kind, 'granted', 'a block pauses for 24 hours, then the inbox sends again');

    await inbox.h.signal(pauseInboxSignal, { by: 'ops@dealer.example', reason: 'DNS change' });
    const held = await inbox.reserve();
    assert.match(held.kind === 'wait' ? held.reason : '', /until an operator resumes it: DNS change/);
  });
});

function utcYmd(t: number): number[] {
  const d = new Date(t);
  return [d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()];
}
