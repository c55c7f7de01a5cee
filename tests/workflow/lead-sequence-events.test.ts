// How a lead's sequence reacts to provider events on the time-skipping test server with real
// activities on a real PostgreSQL: hard, soft and block bounces (a soft one through an inbox after
// that inbox's softBounceRetryHours), complaints and unsubscribes (suppression), delivered/opened,
// a permanent refusal → needs_attention → retry, and a lead with no reachable channel. Sends go
// through the real ledger to a recording transport; the harness is in
// tests/helpers/lead-sequence-harness.ts, timers/replies/pause/continue-as-new in
// lead-sequence.test.ts.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { findSuppression, insertInbox, listLeadEvents, listOutbox } from '../../db/index.js';
import { leadHandle, queryLeadState } from '../../temporal/lead-client.js';
import { inboxEntityKey, inboxStatusQuery, inboxWorkflowId, TRANSACTIONAL_POLICY } from '../../workflows/inbox/contract.js';
import {
  bouncedSignal,
  complainedSignal,
  deliveredSignal,
  replyReceivedSignal,
  retrySignal,
  unsubscribedSignal,
  type LeadState,
} from '../../workflows/lead/contract.js';
import { LeadStatusKey } from '../../workflows/search-attributes.js';
import { DAY, leadSequenceHarness } from '../helpers/lead-sequence-harness.js';
import { makeLeadInput } from '../helpers/leads.js';
import { uniqueName } from '../helpers/temporal.js';

describe('lead sequence: bounces, complaints and attention (time-skipping server, real PostgreSQL)', () => {
  const h = leadSequenceHarness();
  const { withWorker, start, until, sentSteps, submit } = h;

  test('a hard bounce ends the lead and suppresses the address, so a later lead to it is never sent', async () => {
    await withWorker(async (taskQueue, { env, tdb, email }) => {
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
      await withWorker(async (taskQueue, { env, tdb, email }) => {
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

  test("a soft bounce through an inbox goes again after that inbox's softBounceRetryHours (6), not the runbook's 24", async () => {
    await withWorker(async (taskQueue, { env, tdb, email }) => {
      const inboxId = uniqueName('six-hours');
      await insertInbox(tdb.db, {
        id: inboxId,
        kind: 'smtp',
        channel: 'email',
        address: `sales@${inboxId}.example`,
        displayName: null,
        policy: { ...TRANSACTIONAL_POLICY, softBounceRetryHours: 6 },
        settings: {},
        secretsEnc: null,
        verifiedAt: new Date(),
      });
      const leadId = await submit(taskQueue, { inboxes: [inboxId] });
      await until(leadId, (s) => s.stepsSent === 1, 'first send');
      await leadHandle(env.client, leadId).signal(bouncedSignal, { eventId: 'soft-6h', kind: 'soft', reason: '452 4.2.2 mailbox full', step: 1 });
      const bounceAt = (s: LeadState) => Date.parse(s.timeline?.find((t) => t.type === 'bounce')?.at ?? '');
      const waiting = await until(leadId, (s) => s.status === 'waiting' && Date.parse(s.nextSendAt ?? '') - bounceAt(s) < DAY, 'resend scheduled');
      const hours = (Date.parse(waiting.nextSendAt ?? '') - bounceAt(waiting)) / 3_600_000;
      assert.ok(hours >= 5.99 && hours < 6.1, `resend due ~6h after the bounce (the inbox's policy), got ${hours}h`);
      await env.sleep('7 hours');
      await until(leadId, () => email.sends.length === 2, 'resend after 7 hours');
      assert.equal(email.sends[1]?.msg.idempotencyKey, `${leadId}:step:1:resend:1`);
      assert.equal(email.sends[1]?.msg.inboxId, inboxId, 'from the same inbox');
    });
  });

  for (const [name, send, status, reason] of [
    ['complaint', (id: string) => leadHandle(h.env.client, id).signal(complainedSignal, { eventId: 'c1', step: 1 }), 'complained', 'complaint'],
    [
      'unsubscribe',
      (id: string) => leadHandle(h.env.client, id).signal(unsubscribedSignal, { eventId: 'u1', via: 'one-click' }),
      'unsubscribed',
      'unsubscribe',
    ],
  ] as const) {
    test(`a ${name} ends the lead as ${status} and suppresses the address`, async () => {
      await withWorker(async (taskQueue, { env, tdb }) => {
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
    await withWorker(async (taskQueue, { env }) => {
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
      async (taskQueue, { env, tdb, email }) => {
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
    await withWorker(async (taskQueue, { env, email, sms }) => {
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
});
