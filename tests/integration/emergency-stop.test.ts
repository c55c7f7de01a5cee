// The emergency stop through the real ledger on a real PostgreSQL with the real @sendgrid/mail
// client against the stand-in: once setStopped has returned, the only provider calls that still
// reach the stand-in are the ones already in flight at that moment; refused sends stay pending and
// go out once after a resume. Then the resume ramp's permits under concurrency.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { sql } from 'kysely';
import { getOutbox, listAudit, rampPerMinuteAt, resumeSending, setStopped, DEFAULT_RAMP } from '../../db/index.js';
import { createSendActivities, isSendingStopped, takeRampPermit, type SendOutcome } from '../../activities/send/ledger.js';
import { localTransport, sendGridTransport, type OutboundMessage } from '../../activities/send/transports.js';
import { createSendGridSender } from '../../activities/sendgrid/sender.js';
import { Failure } from '../../domain/failures/index.js';
import { startSendGrid } from '../helpers/standins/sendgrid.js';
import { uniqueName } from '../helpers/temporal.js';
import { openTestDb, type TestDb } from '../helpers/test-db.js';

type SendGrid = Awaited<ReturnType<typeof startSendGrid>>;

describe('emergency stop through the ledger', () => {
  let tdb: TestDb;
  let sg: SendGrid;
  before(async () => {
    // Every accepted message answers after 40 ms: calls overlap the stop, as in production.
    [tdb, sg] = await Promise.all([openTestDb(), startSendGrid({ apiKey: 'SG.stop', latencyMs: () => 40 })]);
  });
  after(async () => {
    await sg?.close();
    await tdb?.close();
  });

  let sendMessage: ReturnType<typeof createSendActivities>['sendMessage'];
  before(() => {
    ({ sendMessage } = createSendActivities({
      db: tdb.db,
      transports: { email: sendGridTransport(createSendGridSender({ apiKey: 'SG.stop', baseUrl: sg.url }), 'sales@dealer.example.com'), sms: localTransport() },
    }));
  });
  const message = (): OutboundMessage => ({
    idempotencyKey: uniqueName('stop-lead:step-1'),
    leadId: 'lead:stop',
    step: 1,
    channel: 'email',
    to: 'buyer@example.com',
    subject: 'Your Outback',
    text: 'Hello',
  });
  const run = (msg: OutboundMessage): Promise<SendOutcome> =>
    new MockActivityEnvironment().run<[OutboundMessage], SendOutcome, typeof sendMessage>(sendMessage, msg);
  const keyOf = (body: string) => (JSON.parse(body) as { custom_args?: { idempotency_key?: string } }).custom_args?.idempotency_key ?? '';
  const calls = (key: string) => sg.requests.filter((r) => r.path === '/v3/mail/send' && keyOf(r.body) === key).length;

  test('stopped: the send is refused (non-retryable SendingStopped), nothing reaches the provider, the row stays pending; after resume it goes once', async () => {
    await setStopped(tdb.db, { reason: 'spam complaints spiking', by: 'ops@dealer.example' });
    assert.equal(await isSendingStopped(tdb.db), true);
    const msg = message();
    const err = (await run(msg).then(
      () => assert.fail('expected a refusal'),
      (e: unknown) => e,
    )) as ApplicationFailure;
    assert.equal(err.type, Failure.SendingStopped);
    assert.equal(err.nonRetryable, true);
    assert.match(err.message, /spam complaints spiking/);
    assert.equal(calls(msg.idempotencyKey), 0);
    const row = await getOutbox(tdb.db, msg.idempotencyKey);
    assert.equal(row?.status, 'pending');
    assert.equal(row?.in_flight, false);
    assert.equal(row?.attempts, 0);

    await resumeSending(tdb.db, { by: 'ops@dealer.example', ramp: null });
    assert.equal(await isSendingStopped(tdb.db), false);
    const out = await run(msg);
    assert.equal(out.duplicate, false);
    assert.equal((await run(msg)).duplicate, true);
    assert.equal(calls(msg.idempotencyKey), 1, 'sent exactly once after the resume');

    const audit = (await listAudit(tdb.db, { limit: 10, offset: 0 })).filter((a) => a.method === 'CONTROL');
    const [resume, stop] = audit;
    assert.equal(stop?.route, 'emergency-stop');
    assert.equal(stop?.api_key_name, 'ops@dealer.example');
    assert.equal(stop?.detail?.reason, 'spam complaints spiking');
    assert.equal(resume?.route, 'resume');
    assert.equal(resume?.detail?.reason, 'spam complaints spiking');
    assert.equal(typeof resume?.detail?.stoppedAt, 'string');
    assert.equal(typeof resume?.detail?.resumedAt, 'string');
  });

  test('a stop landing mid-burst: after the ack only sends already in flight reach the provider; the rest are refused and go once after resume', async () => {
    const msgs = Array.from({ length: 60 }, message);
    const before = sg.requests.length;
    // Staggered over ~300 ms against a pool of 10 connections: some pass, some queue, some come later.
    const outcomes = msgs.map(async (m, i) => {
      await new Promise((r) => setTimeout(r, i * 5));
      return run(m).then(
        () => 'sent' as const,
        (e: ApplicationFailure) => (e.type === Failure.SendingStopped ? ('refused' as const) : Promise.reject(e)),
      );
    });
    while (sg.requests.length - before < 5) await new Promise((r) => setTimeout(r, 2));
    await setStopped(tdb.db, { reason: 'mid-burst', by: 'ops' });
    // The acknowledgement: what the ledger says is (or was) in flight right now.
    const { rows } = await sql<{ idempotency_key: string }>`select idempotency_key from outbox
      where idempotency_key in (${sql.join(msgs.map((m) => m.idempotencyKey))}) and (in_flight or status = 'sent')`.execute(tdb.db);
    const passedAtAck = new Set(rows.map((r) => r.idempotency_key));
    const callsAtAck = sg.requests.length;

    const results = await Promise.all(outcomes);
    const late = sg.requests.slice(callsAtAck).map((r) => keyOf(r.body));
    for (const key of late) assert.ok(passedAtAck.has(key), `${key} reached the provider after the ack without being in flight at the ack`);
    const refused = msgs.filter((_, i) => results[i] === 'refused');
    assert.ok(refused.length > 0 && refused.length < msgs.length, `${refused.length} of ${msgs.length} refused: the stop landed mid-burst`);
    for (const [i, m] of msgs.entries()) {
      assert.equal(results[i] === 'sent', passedAtAck.has(m.idempotencyKey), `${m.idempotencyKey}: ${results[i]}`);
      assert.equal(calls(m.idempotencyKey), results[i] === 'sent' ? 1 : 0);
    }
    const stillOpen = await Promise.all(refused.map((m) => getOutbox(tdb.db, m.idempotencyKey)));
    assert.ok(stillOpen.every((r) => r?.status === 'pending' && !r.in_flight));

    await resumeSending(tdb.db, { by: 'ops', ramp: null });
    await Promise.all(refused.map((m) => run(m)));
    for (const m of msgs) assert.equal(calls(m.idempotencyKey), 1, `${m.idempotencyKey} went out exactly once`);
  });
});

describe('resume ramp permits', () => {
  let tdb: TestDb;
  before(async () => {
    tdb = await openTestDb();
  });
  after(async () => {
    await tdb?.close();
  });
  const rampStartedAgo = (minutes: number) =>
    sql`update sending_control set ramp_started_at = now() - make_interval(mins => ${minutes}), ramp_cursor = null`.execute(tdb.db);

  test('no ramp before any stop, none while stopped', async () => {
    assert.equal(await takeRampPermit(tdb.db, Date.now()), null);
    await setStopped(tdb.db, { reason: 'ramp test', by: 'ops' });
    assert.equal(await takeRampPermit(tdb.db, Date.now()), null);
  });

  test('50 parallel callers get 50 distinct permits spaced by 60 s / rate, the first at once', async () => {
    await resumeSending(tdb.db, { by: 'ops', ramp: { initialPerMinute: 600, doublingEveryMinutes: 60, maxPerMinute: 10_000 } });
    const now = Date.now();
    const permits = (await Promise.all(Array.from({ length: 50 }, () => takeRampPermit(tdb.db, now)))).map((p) => {
      assert.notEqual(p, null);
      return p!;
    });
    assert.equal(new Set(permits).size, 50, 'no two callers share a permit');
    const sorted = [...permits].sort((a, b) => a - b);
    assert.equal(sorted[0], now);
    // 600 a minute: one every 100 ms (±1 ms: the cursor keeps microseconds, a permit is in ms).
    for (let i = 1; i < sorted.length; i++) assert.ok(Math.abs(sorted[i]! - sorted[i - 1]! - 100) <= 1, `gap ${i}: ${sorted[i]! - sorted[i - 1]!} ms`);
  });

  test('a caller arriving after a quiet spell goes at once (no burst credit), later ones keep the spacing', async () => {
    const later = Date.now() + 60_000;
    const a = await takeRampPermit(tdb.db, later);
    const b = await takeRampPermit(tdb.db, later);
    assert.equal(a, later);
    assert.ok(b !== null && a !== null && Math.abs(b - a - 100) <= 1);
  });

  test('the rate doubles every period: an hour in, permits are half as far apart', async () => {
    await rampStartedAgo(61);
    const now = Date.now();
    const [a, b, c] = [await takeRampPermit(tdb.db, now), await takeRampPermit(tdb.db, now), await takeRampPermit(tdb.db, now)];
    assert.ok(Math.abs(b! - a! - 50) <= 1 && Math.abs(c! - b! - 50) <= 1, `${b! - a!}, ${c! - b!}`);
  });

  test('once the rate exceeds maxPerMinute the ramp no longer limits (null)', async () => {
    // 600 × 2^5 = 19,200 a minute after five doublings: above the 10,000 limit.
    await rampStartedAgo(5 * 60 + 1);
    assert.equal(await takeRampPermit(tdb.db, Date.now()), null);
  });

  test('the default ramp: 1 a minute for the first hour, 2 in the second, and the SQL and TypeScript rates agree', async () => {
    await setStopped(tdb.db, { reason: 'again', by: 'ops' });
    await resumeSending(tdb.db, { by: 'ops', ramp: DEFAULT_RAMP });
    const now = Date.now();
    const a = await takeRampPermit(tdb.db, now);
    const b = await takeRampPermit(tdb.db, now);
    assert.ok(Math.abs(b! - a! - 60_000) <= 1);
    await rampStartedAgo(61); // a minute into the second hour: clear of the step at 60 (the clocks differ by microseconds)
    const c = await takeRampPermit(tdb.db, Date.now());
    const d = await takeRampPermit(tdb.db, Date.now());
    assert.ok(Math.abs(d! - c! - 30_000) <= 1);
    const t0 = Date.UTC(2026, 11, 2);
    assert.equal(rampPerMinuteAt(DEFAULT_RAMP, t0, t0 + 59 * 60_000), 1);
    assert.equal(rampPerMinuteAt(DEFAULT_RAMP, t0, t0 + 60 * 60_000), 2);
    assert.equal(rampPerMinuteAt(DEFAULT_RAMP, t0, t0 + 13 * 3_600_000), 8192);
    assert.equal(rampPerMinuteAt(DEFAULT_RAMP, t0, t0 - 1), 1, 'a clock behind the ramp start is the first step');
  });
});
