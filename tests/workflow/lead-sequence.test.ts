// The lead pipeline on the time-skipping test server with real activities on a real PostgreSQL:
// follow-up timing over days, each way a sequence ends, needs_attention → retry, pause/resume,
// and continue-as-new. Sends go through the real ledger to a recording transport.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { findSuppression, listLeadEvents, listOutbox } from '../../db/index.js';
import { leadHandle, queryLeadState, submitLead } from '../../temporal/lead-client.js';
import { createLeadWorker } from '../../workers/lead-worker.js';
import { inboxEntityKey, inboxStatusQuery, inboxWorkflowId } from '../../workflows/inbox/contract.js';
import {
  bouncedSignal,
  complainedSignal,
  deliveredSignal,
  pauseSignal,
  replyReceivedSignal,
  resumeSignal,
  retrySignal,
  unsubscribedSignal,
  type LeadInput,
  type LeadState,
} from '../../workflows/lead/contract.js';
import { LeadStatusKey, LeadTierKey } from '../../workflows/search-attributes.js';
import { makeLeadInput } from '../helpers/leads.js';
import { recordingTransport, type RecordingTransport } from '../helpers/recording-transport.js';
import { testServices } from '../helpers/services.js';
import { createTimeSkippingEnv, terminateRunning, uniqueName } from '../helpers/temporal.js';
import { openTestDb, type TestDb } from '../helpers/test-db.js';
import { testDataConverter } from '../helpers/codec.js';
import { testIdentity } from '../helpers/codec.js';

const DAY = 86_400_000;

describe('lead sequence (time-skipping server, real PostgreSQL)', () => {
  let env: TestWorkflowEnvironment;
  let tdb: TestDb;
  let email: RecordingTransport;
  let sms: RecordingTransport;

  before(async () => {
    tdb = await openTestDb();
  });
  after(async () => {
    await tdb?.close();
  });

  // A time-skipping server per test (about half a second each): a lead's replies start handover
  // child workflows that outlive it, and on the Java test server a child completing after its
  // parent closed can leave time skipping locked for every later test on that server.
  async function withWorker<T>(fn: (taskQueue: string) => Promise<T>, opts: { refuse?: (to: string) => boolean } = {}): Promise<T> {
    env = await createTimeSkippingEnv();
    try {
      return await withEnvWorker(fn, opts);
    } finally {
      await env.teardown();
    }
  }

  async function withEnvWorker<T>(fn: (taskQueue: string) => Promise<T>, opts: { refuse?: (to: string) => boolean }): Promise<T> {
    email = recordingTransport(opts);
    sms = recordingTransport();
    const taskQueue = uniqueName('seq');
    const worker = await createLeadWorker({
      client: env.client,
      dataConverter: testDataConverter,
      connection: env.nativeConnection,
      namespace: 'default',
      db: tdb.db,
      taskQueue,
      services: testServices({ transports: { email, sms } }),
    });
    try {
      return await worker.runUntil(fn(taskQueue));
    } finally {
      await terminateRunning(env.client, started.splice(0));
    }
  }
  const started: string[] = [];
  async function start(input: LeadInput, taskQueue: string): Promise<string> {
    const { leadId } = await submitLead(env.client, input, { identity: testIdentity, taskQueue });
    started.push(leadId);
    return leadId;
  }

  async function until(leadId: string, ok: (s: LeadState) => boolean, what: string): Promise<LeadState> {
    let last: LeadState | undefined;
    for (let i = 0; i < 200; i++) {
      last = await queryLeadState(env.client, leadId);
      if (ok(last)) return last;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.fail(`lead ${leadId} never reached: ${what} (last state ${JSON.stringify({ status: last?.status, stepsSent: last?.stepsSent })})`);
  }
  const sentSteps = (leadId: string) => until(leadId, () => true, 'query').then((s) => s.stepsSent ?? 0);
  const submit = (taskQueue: string, o: Partial<LeadInput> = {}) => start(makeLeadInput(o), taskQueue);

  test('scores and tiers the lead, then sends follow-ups on their timers until the sequence runs out', async () => {
    await withWorker(async (taskQueue) => {
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
      await withWorker(async (taskQueue) => {
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

  test('a hard bounce ends the lead and suppresses the address, so a later lead to it is never sent', async () => {
    await withWorker(async (taskQueue) => {
      const input = makeLeadInput();
      const leadId = await start(input, taskQueue);
      await until(leadId, (s) => s.stepsSent === 1, 'first send');
      await leadHandle(env.client, leadId).signal(bouncedSignal, { eventId: 'b1', kind: 'hard', reason: '550 5.1.1 user unknown', step: 1 });
      assert.equal((await leadHandle(env.client, leadId).result()).status, 'bounced');
      const row = await findSuppression(tdb.db, input.contact.email ?? '');
      assert.equal(row?.reason, 'hard_bounce');

      const again = await submit(taskQueue, { contact: { ...input.contact }, externalId: uniqueName('other') });
      const outcome = await leadHandle(env.client, again).result();
      assert.equal(outcome.status, 'suppressed');
      assert.equal(email.sends.length, 1, 'the suppressed address got no second message');
    });
  });

  for (const kind of ['soft', 'block'] as const) {
    test(`a ${kind} bounce sends the same step again 24 hours later (the runbook) under a new key${kind === 'block' ? ', and pauses the inbox 24 hours' : ''}`, async () => {
      await withWorker(async (taskQueue) => {
        const leadId = await submit(taskQueue);
        await until(leadId, (s) => s.stepsSent === 1, 'first send');
        await leadHandle(env.client, leadId).signal(bouncedSignal, { eventId: `${kind}-1`, kind, reason: '452 mailbox full', step: 1 });
        const bounceAt = (s: LeadState) => Date.parse(s.timeline?.find((t) => t.type === 'bounce')?.at ?? '');
        // Due in 24 hours, not at the 2-day follow-up: the resend was scheduled.
        const waiting = await until(leadId, (s) => s.status === 'waiting' && Date.parse(s.nextSendAt ?? '') - bounceAt(s) < 1.5 * DAY, 'resend scheduled');
        const hours = (Date.parse(waiting.nextSendAt ?? '') - bounceAt(waiting)) / 3_600_000;
        assert.ok(hours >= 23.99 && hours < 24.1, `resend due ~24h after the bounce, got ${hours}h`);
        const inbox = await env.client.workflow.getHandle(inboxWorkflowId(inboxEntityKey('default', taskQueue))).query(inboxStatusQuery);
        assert.equal(inbox.pause?.kind, kind === 'block' ? 'block' : undefined, 'a block pauses the inbox; a soft bounce does not');
        await env.sleep('25 hours');
        await until(leadId, () => email.sends.length === 2, 'resend');
        assert.equal(email.sends[1]?.msg.idempotencyKey, `${leadId}:step:1:resend:1`);
        assert.equal(email.sends[1]?.msg.step, 1);
        assert.equal(await sentSteps(leadId), 1, 'a resend is not a new step');
        assert.equal(await findSuppression(tdb.db, email.sends[0]?.msg.to ?? ''), undefined, 'a soft bounce never suppresses');
        assert.equal((await leadHandle(env.client, leadId).result()).status, 'no_response');
      });
    });
  }

  for (const [name, send, status, reason] of [
    ['complaint', (id: string) => leadHandle(env.client, id).signal(complainedSignal, { eventId: 'c1', step: 1 }), 'complained', 'complaint'],
    ['unsubscribe', (id: string) => leadHandle(env.client, id).signal(unsubscribedSignal, { eventId: 'u1', via: 'one-click' }), 'unsubscribed', 'unsubscribe'],
  ] as const) {
    test(`a ${name} ends the lead as ${status} and suppresses the address`, async () => {
      await withWorker(async (taskQueue) => {
        const input = makeLeadInput();
        const leadId = await start(input, taskQueue);
        await until(leadId, (s) => s.stepsSent === 1, 'first send');
        await send(leadId);
        await send(leadId); // a re-delivered webhook is handled once
        const outcome = await leadHandle(env.client, leadId).result();
        assert.equal(outcome.status, status);
        assert.equal((await findSuppression(tdb.db, input.contact.email ?? ''))?.reason, reason);
        assert.equal((await listLeadEvents(tdb.db, leadId)).filter((e) => e.type === name).length, 1);
      });
    });
  }

  test('delivered/opened events go on the timeline without changing the sequence', async () => {
    await withWorker(async (taskQueue) => {
      const leadId = await submit(taskQueue);
      await until(leadId, (s) => s.stepsSent === 1, 'first send');
      await leadHandle(env.client, leadId).signal(deliveredSignal, { eventId: 'd1', kind: 'delivered', step: 1 });
      const s = await until(leadId, (st) => st.timeline?.some((t) => t.type === 'delivered') === true, 'delivered noted');
      assert.equal(s.status, 'waiting');
      assert.equal((await leadHandle(env.client, leadId).result()).stepsSent, 3);
    });
  });

  test('a permanent refusal puts the lead in needs_attention; retry with a corrected address sends under a new key', async () => {
    await withWorker(
      async (taskQueue) => {
        const leadId = await submit(taskQueue, { contact: { firstName: 'Ann', lastName: 'Lee', email: 'refuse-me@example.com', phone: null } });
        const stuck = await until(leadId, (s) => s.status === 'needs_attention', 'needs_attention');
        assert.match(stuck.attention ?? '', /refused step 1 \(email\)/);
        assert.equal((await leadHandle(env.client, leadId).describe()).typedSearchAttributes.get(LeadStatusKey), 'needs_attention');
        await env.sleep('1 day'); // nothing happens by itself
        assert.equal((await queryLeadState(env.client, leadId)).status, 'needs_attention');

        await leadHandle(env.client, leadId).signal(retrySignal, { by: 'ops@dealer.test', email: 'ann.lee@example.com' });
        await until(leadId, (s) => s.stepsSent === 1 && s.status === 'waiting', 'sent after retry');
        assert.deepEqual(
          email.sends.map((s) => [s.msg.to, s.msg.idempotencyKey]),
          [['ann.lee@example.com', `${leadId}:step:1:resend:1`]],
        );
        const rows = await listOutbox(tdb.db, { leadId, limit: 10, offset: 0 });
        assert.deepEqual(rows.map((r) => r.status).sort(), ['failed', 'sent']);
        await leadHandle(env.client, leadId).signal(replyReceivedSignal, {
          eventId: 'r',
          channel: 'email',
          from: 'ann',
          text: 'hi',
          receivedAt: new Date().toISOString(),
        });
        assert.equal((await leadHandle(env.client, leadId).result()).status, 'replied');
      },
      { refuse: (to) => to.startsWith('refuse-') },
    );
  });

  test('a lead with no reachable channel waits for a person, and SMS is used when only the phone works', async () => {
    await withWorker(async (taskQueue) => {
      const leadId = await submit(taskQueue, { contact: { firstName: 'Bo', lastName: null, email: 'bo@nowhere.invalid', phone: 'not a phone' } });
      const stuck = await until(leadId, (s) => s.status === 'needs_attention', 'needs_attention');
      assert.match(stuck.attention ?? '', /no reachable channel/);
      await leadHandle(env.client, leadId).signal(retrySignal, { by: 'ops', phone: '+14155552671' });
      const sent = await until(leadId, (s) => s.stepsSent === 1, 'sms sent');
      assert.equal(sent.channel, 'sms');
      assert.equal(sms.sends[0]?.msg.to, '+14155552671');
      assert.equal(sms.sends[0]?.msg.subject, null);
      assert.equal(email.sends.length, 0);
    });
  });

  test('pause holds a due follow-up until resume, and nothing is sent twice', async () => {
    await withWorker(async (taskQueue) => {
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
    await withWorker(async (taskQueue) => {
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
    await withWorker(async (taskQueue) => {
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
