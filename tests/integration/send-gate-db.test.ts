// The emergency stop's send gate on every database the app runs on: embedded PGlite in process,
// PGlite served over the wire protocol (one backend multiplexed across connections, transactions
// pinned to theirs) and a real PostgreSQL. The same lock semantics must hold on each: a gate sees
// the flag, a stop waits for a gate that is open, and nothing deadlocks. And its one verdict
// statement must refuse for each reason it reads, in the order the checks always ran.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import {
  addSuppression,
  claimOutbox,
  createDb,
  finishOutboxCall,
  getOutbox,
  migrateToLatest,
  passSendGate,
  resumeSending,
  saveInboxState,
  SEND_GATE_LOCK,
  setStopped,
  type Database,
  type DbHandle,
  type GateRequest,
} from '../../db/index.js';
import { freePort } from '../../temporal/net.js';
import { forEachDatabase } from '../helpers/databases.js';
import { uniqueName } from '../helpers/temporal.js';

const claim = (db: Kysely<Database>, o: { recipient?: string; inboxId?: string; leadId?: string } = {}) =>
  claimOutbox(db, {
    idempotencyKey: uniqueName('gate'),
    leadId: o.leadId ?? 'lead:gate',
    step: 1,
    channel: 'email',
    provider: 'local',
    recipient: o.recipient ?? 'gate@example.com',
    subject: 's',
    body: 'b',
    inboxId: o.inboxId ?? null,
  });

const gate = (db: Kysely<Database>, key: string, o: Partial<GateRequest> = {}) =>
  passSendGate(db, { key, recipient: 'gate@example.com', inbox: null, campaignLeadId: null, now: Date.now(), ...o });

const DAY_MS = 86_400_000;
const inboxState = (db: Kysely<Database>, inboxId: string, o: { dailyLimit?: number; dayStartedAt?: Date; paused?: boolean; pausedUntil?: Date | null } = {}) =>
  saveInboxState(db, {
    inboxId,
    health: 100,
    dailyLimit: o.dailyLimit ?? 10,
    today: new Date().toISOString().slice(0, 10),
    dayStartedAt: o.dayStartedAt ?? new Date(Date.now() - 60_000),
    grantedToday: 0,
    sentToday: 0,
    pausedUntil: o.pausedUntil ?? null,
    paused: o.paused ?? false,
    status: {},
  });

function gateSuite(getDb: () => Kysely<Database>): void {
  test('a gate passes while running, refuses while stopped (leaving the row pending), passes after resume; a second pass is busy', async () => {
    const db = getDb();
    const a = await claim(db);
    assert.deepEqual(await gate(db, a.idempotency_key), { kind: 'began' });
    assert.equal((await getOutbox(db, a.idempotency_key))?.in_flight, true);
    assert.equal((await getOutbox(db, a.idempotency_key))?.attempts, 1);
    assert.deepEqual(await gate(db, a.idempotency_key), { kind: 'busy' }, 'the call is already taken');

    const stop = await setStopped(db, { reason: 'gate test', by: 'tester' });
    assert.equal(stop.changed, true);
    const b = await claim(db);
    const refused = await gate(db, b.idempotency_key);
    assert.equal(refused.kind, 'stopped');
    assert.equal(refused.kind === 'stopped' && refused.reason, 'gate test');
    assert.equal(refused.kind === 'stopped' && refused.stoppedBy, 'tester');
    assert.ok(refused.kind === 'stopped' && refused.stoppedAt instanceof Date);
    assert.equal((await getOutbox(db, b.idempotency_key))?.in_flight, false, 'a refused send leaves its row pending');

    assert.equal((await setStopped(db, { reason: 'again', by: 'someone else' })).changed, false, 'a repeated stop changes nothing');
    const resumed = await resumeSending(db, { by: 'tester', ramp: null });
    assert.equal(resumed.changed, true);
    assert.equal(resumed.row.reason, 'gate test', 'the first stop is what the row remembers');
    assert.deepEqual(await gate(db, b.idempotency_key), { kind: 'began' });
    assert.equal((await resumeSending(db, { by: 'tester', ramp: null })).changed, false, 'resuming while running changes nothing');
  });

  test('a gate that waits on a stop being taken reads the flag that stop commits (the verdict is not read before the lock)', async () => {
    const db = getDb();
    const row = await claim(db);
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let locked!: () => void;
    const stopHoldsLock = new Promise<void>((r) => (locked = r));
    // A stop in the middle of its transaction: the exclusive lock taken, the flag set, not yet committed.
    const stop = db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(${sql.lit(SEND_GATE_LOCK)})`.execute(trx);
      await trx.updateTable('sending_control').set({ stopped: true, reason: 'mid-stop', stopped_by: 'tester' }).where('id', '=', 1).execute();
      locked();
      await held;
    });
    await stopHoldsLock;
    let answered = false;
    const pending = gate(db, row.idempotency_key).then((v) => {
      answered = true;
      return v;
    });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(answered, false, 'the gate waits while the stop holds its lock');
    release();
    await stop;
    assert.equal((await pending).kind, 'stopped', 'the gate saw the stop committed while it waited');
    assert.equal((await getOutbox(db, row.idempotency_key))?.in_flight, false);
    await resumeSending(db, { by: 'tester', ramp: null });
  });

  test('many gates at once with a stop among them: each either flipped before the ack or was refused', async () => {
    const db = getDb();
    const rows = await Promise.all(Array.from({ length: 20 }, () => claim(db)));
    const results = rows.map(async (r, i) => {
      await new Promise((res) => setTimeout(res, i * 3));
      return (await gate(db, r.idempotency_key)).kind;
    });
    await new Promise((res) => setTimeout(res, 25));
    await setStopped(db, { reason: 'mid-burst', by: 'tester' });
    const atAck = await Promise.all(rows.map((r) => getOutbox(db, r.idempotency_key)));
    const outcomes = await Promise.all(results);
    outcomes.forEach((o, i) => {
      assert.ok(o === 'began' || o === 'stopped', `row ${i}: ${o}`);
      assert.equal(atAck[i]?.in_flight, o === 'began', `row ${i}: ${o} but in_flight=${atAck[i]?.in_flight} at the ack`);
    });
    await resumeSending(db, { by: 'tester', ramp: null });
  });

  test('the suppression list refuses (any letter case), before the stop; internal messages are not checked', async () => {
    const db = getDb();
    const address = `${uniqueName('supp')}@example.com`;
    await addSuppression(db, { address, channel: 'email', reason: 'unsubscribe', leadId: null, eventId: null });
    const row = await claim(db, { recipient: address.toUpperCase() });
    assert.deepEqual(await gate(db, row.idempotency_key, { recipient: address.toUpperCase() }), { kind: 'suppressed' });
    await setStopped(db, { reason: 'both', by: 'tester' });
    assert.deepEqual(await gate(db, row.idempotency_key, { recipient: address }), { kind: 'suppressed' }, 'suppression is told first');
    await resumeSending(db, { by: 'tester', ramp: null });
    assert.equal((await getOutbox(db, row.idempotency_key))?.in_flight, false);
    assert.deepEqual(await gate(db, row.idempotency_key, { recipient: null }), { kind: 'began' }, 'a message to our own people');
  });

  test("an inbox's pause and today's count against its limit refuse; an ended pause and a finished day do not", async () => {
    const db = getDb();
    const inboxId = uniqueName('inbox');
    const inbox = { inboxId, stateKey: `${inboxId}@q` };
    const send = async () => {
      const r = await claim(db, { inboxId });
      return { key: r.idempotency_key, verdict: await gate(db, r.idempotency_key, { inbox }) };
    };
    assert.equal((await send()).verdict.kind, 'began', 'no saved figures yet: nothing to hold against');

    await inboxState(db, inbox.stateKey, { paused: true });
    assert.deepEqual((await send()).verdict, { kind: 'inbox', reason: `inbox ${inboxId} is paused` });
    await inboxState(db, inbox.stateKey, { paused: true, pausedUntil: new Date(Date.now() + 60_000) });
    assert.equal((await send()).verdict.kind, 'inbox', 'paused until a later time');
    await inboxState(db, inbox.stateKey, { paused: true, pausedUntil: new Date(Date.now() - 1_000) });

    // Limit 3: one in flight already; one sent, one failed (not counted); the third place is free.
    await inboxState(db, inbox.stateKey, { dailyLimit: 3 });
    const sent = await send();
    assert.equal(sent.verdict.kind, 'began', 'the pause has ended');
    await finishOutboxCall(db, sent.key, { status: 'sent', providerMessageId: null });
    const failed = await send();
    await finishOutboxCall(db, failed.key, { status: 'failed', errorCode: '550', error: 'refused' });
    assert.equal((await send()).verdict.kind, 'began', 'two sent or in flight, one failed: the third place');
    const over = await send();
    assert.deepEqual(over.verdict, { kind: 'inbox', reason: `inbox ${inboxId} reached today's limit of 3 messages` });
    assert.equal((await getOutbox(db, over.key))?.in_flight, false);
    // Messages of another inbox and of an earlier day do not count; a day that ended holds nothing.
    await inboxState(db, inbox.stateKey, { dailyLimit: 3, dayStartedAt: new Date() });
    assert.equal((await gate(db, over.key, { inbox })).kind, 'began', "yesterday's sends are not today's");
    await inboxState(db, inbox.stateKey, { dailyLimit: 0, dayStartedAt: new Date(Date.now() - DAY_MS - 1_000) });
    assert.equal((await send()).verdict.kind, 'began', 'the day is over and the inbox has not rolled over yet');
  });

  test("a campaign's pause or cancel refuses its leads' messages; other messages of the lead are not asked", async () => {
    const db = getDb();
    const campaignId = uniqueName('camp');
    const leadId = uniqueName('lead');
    await db.insertInto('campaigns').values({ id: campaignId, name: 'gate', spec: '{}', status: 'running' }).execute();
    await db
      .insertInto('leads')
      .values({
        id: leadId,
        source: 'campaign',
        external_id: null,
        campaign_id: campaignId,
        first_name: null,
        last_name: null,
        email: null,
        phone: null,
        tier: null,
        payload: '{}',
      })
      .execute();
    const send = async () => gate(db, (await claim(db, { leadId })).idempotency_key, { campaignLeadId: leadId });
    assert.equal((await send()).kind, 'began');
    await db.updateTable('campaigns').set({ status: 'paused', status_by: 'ops' }).where('id', '=', campaignId).execute();
    assert.deepEqual(await send(), { kind: 'campaign', reason: `campaign ${campaignId} is paused by ops` });
    const notCampaign = await claim(db, { leadId });
    assert.equal((await gate(db, notCampaign.idempotency_key)).kind, 'began', 'not a campaign message: the status is not read');
    await db.updateTable('campaigns').set({ status: 'cancelling' }).where('id', '=', campaignId).execute();
    assert.deepEqual(await send(), { kind: 'campaign', reason: `campaign ${campaignId} is cancelled` });
  });
}

forEachDatabase('send gate', (t) => gateSuite(() => t.db));

describe('send gate [pglite served over the wire protocol]', () => {
  let dataDir: string;
  let handle: DbHandle;
  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadflow-gate-'));
    handle = await createDb({ dataDir, serveEmbedded: { host: '127.0.0.1', port: await freePort() } });
    await migrateToLatest(handle.db);
  });
  after(async () => {
    await handle?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  gateSuite(() => handle.db);
});
