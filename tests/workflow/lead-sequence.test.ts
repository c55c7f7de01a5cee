// The lead pipeline on the time-skipping test server with real activities on a real PostgreSQL:
// follow-up timing over days, replies after each step, pause/resume, continue-as-new and campaign
// templates. Sends go through the real ledger to a recording transport. The harness (a server and
// worker per test, polling) is in tests/helpers/lead-sequence-harness.ts; bounces, complaints,
// unsubscribes, delivery events and needs_attention → retry are in lead-sequence-events.test.ts.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { listLeadEvents, listOutbox } from '../../db/index.js';
import { leadHandle, queryLeadState } from '../../temporal/lead-client.js';
import { pauseSignal, replyReceivedSignal, resumeSignal } from '../../workflows/lead/contract.js';
import { LeadStatusKey, LeadTierKey } from '../../workflows/search-attributes.js';
import { DAY, leadSequenceHarness } from '../helpers/lead-sequence-harness.js';
import { uniqueName } from '../helpers/temporal.js';

describe('lead sequence (time-skipping server, real PostgreSQL)', () => {
  const { withWorker, until, submit } = leadSequenceHarness();

  test('scores and tiers the lead, then sends follow-ups on their timers until the sequence runs out', async () => {
    await withWorker(async (taskQueue, { env, tdb, email }) => {
      const leadId = await submit(taskQueue);
      const first = await until(leadId, (s) => s.stepsSent === 1 && s.status === 'waiting', 'first message sent');
      assert.equal(first.channel, 'email');
      assert.ok(first.tier !== null && ['hot', 'warm', 'cold'].includes(first.tier ?? ''));
      assert.ok(
        (first.scoreReasons ?? []).some((r) => r.rule.startsWith('contact.')),
        'reasons are stored with the score',
      );
      const desc = await leadHandle(env.client, leadId).describe();
      assert.equal(desc.typedSearchAttributes.get(LeadTierKey), first.tier);
      assert.equal(desc.typedSearchAttributes.get(LeadStatusKey), 'waiting');

      const outcome = await leadHandle(env.client, leadId).result(); // skips time through every timer
      assert.deepEqual(outcome, { leadId, status: 'no_response', arrivals: 1, stepsSent: 3 });
      const rows = (await listOutbox(tdb.db, { leadId, limit: 10, offset: 0 })).sort((a, b) => a.step - b.step);
      assert.deepEqual(
        rows.map((r) => [r.step, r.status, r.channel]),
        [
          [1, 'sent', 'email'],
          [2, 'sent', 'email'],
          [3, 'sent', 'email'],
        ],
      );
      assert.equal(email.sends.length, 3, 'exactly one provider call per step');

      const sent = (await listLeadEvents(tdb.db, leadId)).filter((e) => e.type === 'sent').map((e) => e.detail);
      assert.deepEqual(
        sent.map((d) => d.step),
        [1, 2, 3],
      );
      // Workflow (server) time: the timeline is stamped by the workflow, not the machine clock.
      const timeline = (await queryLeadState(env.client, leadId)).timeline ?? [];
      const times = timeline.filter((t) => t.type === 'sent').map((t) => Date.parse(t.at));
      assert.ok((times[1] ?? 0) - (times[0] ?? 0) >= 2 * DAY, 'step 2 waits two days (server clock)');
      assert.ok((times[2] ?? 0) - (times[1] ?? 0) >= 5 * DAY, 'step 3 waits five more days');
      const headers = email.sends[0]?.msg.headers ?? {};
      assert.match(headers['List-Unsubscribe'] ?? '', /^<http:\/\/127\.0\.0\.1:3000\/unsubscribe\/[\w-]{24}>$/);
      assert.equal(headers['List-Unsubscribe-Post'], 'List-Unsubscribe=One-Click');
      assert.match(email.sends[1]?.msg.subject ?? '', /Still interested in the 2024 Subaru Outback/);
    });
  });

  for (const step of [1, 2, 3]) {
    test(`a reply after step ${step} ends the sequence as replied, with no further sends`, async () => {
      await withWorker(async (taskQueue, { env, tdb, email }) => {
        const leadId = await submit(taskQueue);
        for (let s = 1; s < step; s++) {
          await until(leadId, (st) => st.stepsSent === s && st.status === 'waiting', `step ${s} sent`);
          await env.sleep(s === 1 ? '2 days' : '5 days');
        }
        await until(leadId, (st) => st.stepsSent === step && st.status === 'waiting', `step ${step} sent`);
        await leadHandle(env.client, leadId).signal(replyReceivedSignal, {
          eventId: `r-${step}`,
          channel: 'email',
          from: 'jane@example.com',
          text: 'Yes, Saturday works',
          receivedAt: new Date().toISOString(),
        });
        const outcome = await leadHandle(env.client, leadId).result();
        assert.equal(outcome.status, 'replied');
        assert.equal(outcome.stepsSent, step);
        assert.equal(email.sends.length, step);
        const reply = (await listLeadEvents(tdb.db, leadId)).find((e) => e.type === 'reply');
        assert.equal(reply?.detail.text, 'Yes, Saturday works');
      });
    });
  }

  test('pause holds a due follow-up until resume, and nothing is sent twice', async () => {
    await withWorker(async (taskQueue, { env, email }) => {
      const leadId = await submit(taskQueue);
      await until(leadId, (s) => s.stepsSent === 1 && s.status === 'waiting', 'first send');
      await leadHandle(env.client, leadId).signal(pauseSignal, { reason: 'dealer asked', by: 'ops' });
      await until(leadId, (s) => s.status === 'paused', 'paused');
      await env.sleep('3 days');
      const paused = await until(leadId, (s) => s.status === 'paused', 'still paused');
      assert.equal(paused.stepsSent, 1, 'the 2-day follow-up waits for resume');
      await leadHandle(env.client, leadId).signal(resumeSignal, { by: 'ops' });
      await until(leadId, (s) => s.stepsSent === 2, 'follow-up after resume');
      await leadHandle(env.client, leadId).signal(resumeSignal, { by: 'ops' });
      assert.equal((await leadHandle(env.client, leadId).result()).stepsSent, 3);
      assert.deepEqual(
        email.sends.map((s) => s.msg.step),
        [1, 2, 3],
      );
    });
  });

  test('a long sequence continues as new with its state and sends each step once', async () => {
    await withWorker(async (taskQueue, { env, email }) => {
      const sequence = [{ delay: 0 }, { delay: '1 day' }, { delay: '1 day' }, { delay: '1 day' }];
      const leadId = await submit(taskQueue, { sequence, historyLimit: 20 });
      const firstRun = (await leadHandle(env.client, leadId).describe()).runId;
      const outcome = await leadHandle(env.client, leadId).result();
      assert.deepEqual({ status: outcome.status, stepsSent: outcome.stepsSent }, { status: 'no_response', stepsSent: 4 });
      assert.notEqual((await leadHandle(env.client, leadId).describe()).runId, firstRun, 'the lead ran on in a new run');
      const first = env.client.workflow.getHandle(leadId, firstRun);
      assert.equal((await first.describe()).status.name, 'CONTINUED_AS_NEW');
      assert.deepEqual(
        email.sends.map((s) => s.msg.step),
        [1, 2, 3, 4],
      );
      assert.equal(new Set(email.sends.map((s) => s.msg.idempotencyKey)).size, 4);
    });
  });

  test('campaign templates and sender name are used for each step', async () => {
    await withWorker(async (taskQueue, { env, email, sms }) => {
      const sequence = [
        { delay: 0, template: { subject: 'Your {vehicle}', body: 'Hello {firstName}, from {dealerName}.' } },
        { delay: '1 day', channel: 'sms' as const, template: { body: 'Still keen on the {vehicle}? Reply STOP to opt out.' }, ai: false },
      ];
      // 555-01xx numbers are fictional (invalid to libphonenumber); SMS needs a valid one.
      const contact = { firstName: 'Jane', lastName: 'Doe', email: `${uniqueName('t')}@example.com`, phone: '+14155552671' };
      const leadId = await submit(taskQueue, { sequence, senderName: 'Acme Motors', contact });
      const outcome = await leadHandle(env.client, leadId).result();
      assert.equal(outcome.stepsSent, 2);
      assert.equal(email.sends[0]?.msg.subject, 'Your 2024 Subaru Outback');
      assert.match(email.sends[0]?.msg.text ?? '', /^Hello Jane, from Acme Motors\.\n\n--\nTo stop receiving these e-mails: http/);
      assert.equal(sms.sends[0]?.msg.text, 'Still keen on the 2024 Subaru Outback? Reply STOP to opt out.');
    });
  });
});
