// The outbox ledger on a real PostgreSQL with the real @sendgrid/mail client against the stand-in:
// one provider call per idempotency key through retries, transient and permanent errors, and a
// worker that died mid-call (recovered from a provider event, or marked uncertain — never resent).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { claimOutbox, getOutbox, listOutbox, passSendGate, recordProviderEvent } from '../../db/index.js';

/** The send gate's flip, as the send activity runs it right before the provider call. */
const beginCall = async (db: Parameters<typeof passSendGate>[0], key: string): Promise<boolean> =>
  (await passSendGate(db, { key, recipient: null, inbox: null, campaignLeadId: null, now: Date.now() })).kind === 'began';
import { createSendActivities, type SendOutcome } from '../../activities/send/ledger.js';
import { localTransport, sendGridTransport, type OutboundMessage } from '../../activities/send/transports.js';
import { createSendGridSender } from '../../activities/sendgrid/sender.js';
import type { StandIn } from '../helpers/standins/http.js';
import { startSendGrid } from '../helpers/standins/sendgrid.js';
import { FaultStorms } from '../helpers/standins/faults.js';
import type { ScriptedFault } from '../helpers/standins/http.js';
import { uniqueName } from '../helpers/temporal.js';
import { openTestDb, type TestDb } from '../helpers/test-db.js';

describe('outbox ledger: exactly-once sends', () => {
  let tdb: TestDb;
  let sg: StandIn & { faults: ScriptedFault[] };
  before(async () => {
    [tdb, sg] = await Promise.all([openTestDb(), startSendGrid({ apiKey: 'SG.ledger' })]);
  });
  after(async () => {
    await sg?.close();
    await tdb?.close();
  });

  const activities = (windowMs = 60_000, trusted: Array<'sendgrid'> = []) =>
    createSendActivities({
      db: tdb.db,
      evidenceWindowMs: windowMs,
      absenceMeansUnsent: new Set(trusted),
      transports: {
        email: sendGridTransport(createSendGridSender({ apiKey: 'SG.ledger', baseUrl: sg.url }), 'sales@dealer.example.com'),
        sms: localTransport(),
      },
    });
  const message = (o: Partial<OutboundMessage> = {}): OutboundMessage => ({
    idempotencyKey: uniqueName('lead-x:step-1'),
    leadId: 'lead:x',
    step: 1,
    channel: 'email',
    to: 'buyer@example.com',
    subject: 'Your Outback',
    text: 'Hello',
    headers: { 'List-Unsubscribe': '<https://u.example/1>', 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
    ...o,
  });
  // MockActivityEnvironment.run is typed loosely; the ledger's outcome type is known.
  const run = (fn: ReturnType<typeof activities>['sendMessage'], msg: OutboundMessage): Promise<SendOutcome> =>
    new MockActivityEnvironment().run<[OutboundMessage], SendOutcome, typeof fn>(fn, msg);
  const sends = (key: string) => sg.requests.filter((r) => r.path === '/v3/mail/send' && r.body.includes(key)).length;
  const failure = async (p: Promise<unknown>) =>
    p.then(
      () => assert.fail('expected a failure'),
      (e: unknown) => e as ApplicationFailure,
    );

  test('a retried activity sends once and returns the first outcome', async () => {
    const { sendMessage } = activities();
    const msg = message();
    const first = await run(sendMessage, msg);
    const again = await run(sendMessage, msg);
    assert.equal(first.duplicate, false);
    assert.equal(again.duplicate, true);
    assert.equal(again.providerMessageId, first.providerMessageId);
    assert.equal(sends(msg.idempotencyKey), 1, 'the provider saw the message once');
    const body = JSON.parse(sg.requests.find((r) => r.body.includes(msg.idempotencyKey))!.body) as {
      custom_args: Record<string, string>;
      headers: Record<string, string>;
    };
    assert.equal(body.custom_args.idempotency_key, msg.idempotencyKey);
    assert.equal(body.headers['List-Unsubscribe-Post'], 'List-Unsubscribe=One-Click');
    assert.equal((await getOutbox(tdb.db, msg.idempotencyKey))?.status, 'sent');
  });

  test('a 503 is retryable and leaves the key free; the retry sends it exactly once', async () => {
    const { sendMessage } = activities();
    const msg = message();
    sg.faults.push({ status: 503 });
    const err = await failure(run(sendMessage, msg));
    assert.equal(err.type, 'TransientSendError');
    assert.equal(err.nonRetryable, false);
    assert.deepEqual([(await getOutbox(tdb.db, msg.idempotencyKey))?.status, (await getOutbox(tdb.db, msg.idempotencyKey))?.in_flight], ['pending', false]);
    assert.equal((await run(sendMessage, msg)).duplicate, false);
    assert.equal(sends(msg.idempotencyKey), 2, 'one refused call and one accepted');
  });

  test('a permanent refusal is recorded and never retried against the provider', async () => {
    const { sendMessage } = activities();
    const msg = message({ to: 'not-an-address' });
    const err = await failure(run(sendMessage, msg));
    assert.equal(err.type, 'PermanentSendError');
    assert.equal(err.nonRetryable, true);
    const again = await failure(run(sendMessage, msg));
    assert.equal(again.type, 'PermanentSendError');
    assert.equal(sends(msg.idempotencyKey), 1);
    assert.equal((await getOutbox(tdb.db, msg.idempotencyKey))?.status, 'failed');
  });

  test('a call lost mid-flight is never repeated: recovered from a provider event, else pending, then uncertain', async () => {
    const crash = async (msg: OutboundMessage) => {
      await claimOutbox(tdb.db, {
        idempotencyKey: msg.idempotencyKey,
        leadId: msg.leadId,
        step: msg.step,
        channel: msg.channel,
        provider: 'sendgrid',
        recipient: msg.to,
        subject: msg.subject,
        body: msg.text,
      });
      assert.ok(await beginCall(tdb.db, msg.idempotencyKey)); // the worker died after this point
    };
    const withEvidence = message();
    await crash(withEvidence);
    await recordProviderEvent(tdb.db, {
      provider: 'sendgrid',
      eventId: uniqueName('ev'),
      leadId: 'lead:x',
      type: 'processed',
      payload: { idempotency_key: withEvidence.idempotencyKey, sg_message_id: 'sg-123' },
    });
    const recovered = await run(activities().sendMessage, withEvidence);
    assert.deepEqual([recovered.recovered, recovered.providerMessageId], [true, 'sg-123']);

    const noEvidence = message();
    await crash(noEvidence);
    const pending = await failure(run(activities(60_000).sendMessage, noEvidence));
    assert.deepEqual([pending.type, pending.nonRetryable], ['SendOutcomePending', false]);
    const uncertain = await failure(run(activities(0).sendMessage, noEvidence));
    assert.deepEqual([uncertain.type, uncertain.nonRetryable], ['SendUncertainError', true]);
    assert.equal((await getOutbox(tdb.db, noEvidence.idempotencyKey))?.status, 'uncertain');
    assert.equal(sends(withEvidence.idempotencyKey) + sends(noEvidence.idempotencyKey), 0, 'nothing was sent a second time');
  });

  test('a connection reset after the provider accepted the message is an unknown outcome: never called again, settled from evidence', async () => {
    const storms = new FaultStorms();
    const flaky = await startSendGrid({ apiKey: 'SG.ledger', storms });
    try {
      const ledger = createSendActivities({
        db: tdb.db,
        evidenceWindowMs: 60_000,
        absenceMeansUnsent: new Set(['sendgrid']),
        transports: {
          email: sendGridTransport(createSendGridSender({ apiKey: 'SG.ledger', baseUrl: flaky.url }), 'sales@dealer.example.com'),
          sms: localTransport(),
        },
      });
      const msg = message();
      storms.start('reset', 60_000, { afterAccept: true });
      const lost = await failure(run(ledger.sendMessage, msg));
      assert.deepEqual([lost.type, lost.nonRetryable], ['SendOutcomePending', false]);
      assert.equal(flaky.accepted.length, 1, 'SendGrid took the message before the connection dropped');
      assert.equal((await getOutbox(tdb.db, msg.idempotencyKey))?.in_flight, true, 'the call stays in flight, not pending');
      storms.calm();
      const again = await failure(run(ledger.sendMessage, msg));
      assert.equal(again.type, 'SendOutcomePending', 'the retry waits for evidence instead of calling again');
      await recordProviderEvent(tdb.db, {
        provider: 'sendgrid',
        eventId: uniqueName('ev'),
        leadId: 'lead:x',
        type: 'processed',
        payload: { idempotency_key: msg.idempotencyKey, sg_message_id: flaky.accepted[0]?.messageId },
      });
      const settled = await run(ledger.sendMessage, msg);
      assert.deepEqual([settled.recovered, settled.providerMessageId], [true, flaky.accepted[0]?.messageId]);
      assert.equal(flaky.accepted.length, 1, 'accepted exactly once');
    } finally {
      await flaky.close();
    }
  });

  test('with a provider whose webhook reports every accepted message, silence after the window means never accepted: sent once more', async () => {
    const lost = message();
    await claimOutbox(tdb.db, {
      idempotencyKey: lost.idempotencyKey,
      leadId: lost.leadId,
      step: lost.step,
      channel: lost.channel,
      provider: 'sendgrid',
      recipient: lost.to,
      subject: lost.subject,
      body: lost.text,
    });
    assert.ok(await beginCall(tdb.db, lost.idempotencyKey)); // died before the request left
    const early = await failure(run(activities(60_000, ['sendgrid']).sendMessage, lost));
    assert.equal(early.type, 'SendOutcomePending', 'inside the window it still waits for evidence');
    const out = await run(activities(0, ['sendgrid']).sendMessage, lost);
    assert.deepEqual([out.status, out.duplicate], ['sent', false]);
    assert.equal(sends(lost.idempotencyKey), 1, 'the provider saw it exactly once');
    const row = await getOutbox(tdb.db, lost.idempotencyKey);
    assert.deepEqual([row?.status, row?.attempts], ['sent', 2]);
  });

  test('without credentials messages land in the local outbox', async () => {
    const msg = message({ channel: 'sms', to: '+14155550100', subject: null, leadId: uniqueName('lead:local') });
    const out = await run(activities().sendMessage, msg);
    assert.equal(out.provider, 'local');
    const rows = await listOutbox(tdb.db, { leadId: msg.leadId, limit: 10, offset: 0 });
    assert.deepEqual(
      rows.map((r) => [r.channel, r.recipient, r.body, r.status]),
      [['sms', '+14155550100', 'Hello', 'sent']],
    );
  });
});
