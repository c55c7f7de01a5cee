// The emergency stop's send gate on every database the app runs on: embedded PGlite in process,
// PGlite served over the wire protocol (one backend multiplexed across connections, transactions
// pinned to theirs) and a real PostgreSQL. The same lock semantics must hold on each: a gate sees
// the flag, a stop waits for a gate that is open, and nothing deadlocks.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Kysely } from 'kysely';
import {
  beginOutboxCall,
  claimOutbox,
  createDb,
  getOutbox,
  migrateToLatest,
  resumeSending,
  SendingStoppedError,
  setStopped,
  withSendGate,
  type Database,
  type DbHandle,
} from '../../db/index.js';
import { freePort } from '../../temporal/net.js';
import { forEachDatabase } from '../helpers/databases.js';
import { uniqueName } from '../helpers/temporal.js';

const claim = (db: Kysely<Database>) =>
  claimOutbox(db, {
    idempotencyKey: uniqueName('gate'),
    leadId: 'lead:gate',
    step: 1,
    channel: 'email',
    provider: 'local',
    recipient: 'gate@example.com',
    subject: 's',
    body: 'b',
  });

function gateSuite(getDb: () => Kysely<Database>): void {
  test('a gate passes while running, refuses while stopped (without running its callback), passes after resume', async () => {
    const db = getDb();
    const a = await claim(db);
    assert.equal(await withSendGate(db, (trx) => beginOutboxCall(trx, a.idempotency_key)), true);
    assert.equal((await getOutbox(db, a.idempotency_key))?.in_flight, true);

    const stop = await setStopped(db, { reason: 'gate test', by: 'tester' });
    assert.equal(stop.changed, true);
    const b = await claim(db);
    let ran = false;
    const refused = await withSendGate(db, async (trx) => {
      ran = true;
      return beginOutboxCall(trx, b.idempotency_key);
    }).catch((e: unknown) => e);
    assert.ok(refused instanceof SendingStoppedError, String(refused));
    assert.equal(refused.reason, 'gate test');
    assert.equal(refused.stoppedBy, 'tester');
    assert.equal(ran, false);
    assert.equal((await getOutbox(db, b.idempotency_key))?.in_flight, false, 'a refused send leaves its row pending');

    assert.equal((await setStopped(db, { reason: 'again', by: 'someone else' })).changed, false, 'a repeated stop changes nothing');
    const resumed = await resumeSending(db, { by: 'tester', ramp: null });
    assert.equal(resumed.changed, true);
    assert.equal(resumed.row.reason, 'gate test', 'the first stop is what the row remembers');
    assert.equal(await withSendGate(db, (trx) => beginOutboxCall(trx, b.idempotency_key)), true);
    assert.equal((await resumeSending(db, { by: 'tester', ramp: null })).changed, false, 'resuming while running changes nothing');
  });

  test('a stop waits for a gate that is open, and the gate commits its flip before the stop answers', async () => {
    const db = getDb();
    const row = await claim(db);
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let entered!: () => void;
    const inGate = new Promise<void>((r) => (entered = r));
    const gate = withSendGate(db, async (trx) => {
      const began = await beginOutboxCall(trx, row.idempotency_key);
      entered();
      await held;
      return began;
    });
    await inGate;
    let acked = false;
    const stop = setStopped(db, { reason: 'while a send is in the gate', by: 'tester' }).then((r) => {
      acked = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(acked, false, 'the stop is not acknowledged while a gate is open');
    release();
    assert.equal(await gate, true);
    await stop;
    assert.equal((await getOutbox(db, row.idempotency_key))?.in_flight, true, 'the send that passed is in flight at the acknowledgement');
    await assert.rejects(
      withSendGate(db, async () => true),
      SendingStoppedError,
    );
    await resumeSending(db, { by: 'tester', ramp: null });
  });

  test('many gates at once with a stop among them: each either flipped before the ack or was refused', async () => {
    const db = getDb();
    const rows = await Promise.all(Array.from({ length: 20 }, () => claim(db)));
    const results = rows.map(async (r, i) => {
      await new Promise((res) => setTimeout(res, i * 3));
      return withSendGate(db, (trx) => beginOutboxCall(trx, r.idempotency_key)).then(
        () => 'passed' as const,
        (e: unknown) => {
          if (e instanceof SendingStoppedError) return 'refused' as const;
          throw e;
        },
      );
    });
    await new Promise((res) => setTimeout(res, 25));
    await setStopped(db, { reason: 'mid-burst', by: 'tester' });
    const atAck = await Promise.all(rows.map((r) => getOutbox(db, r.idempotency_key)));
    const outcomes = await Promise.all(results);
    outcomes.forEach((o, i) => assert.equal(atAck[i]?.in_flight, o === 'passed', `row ${i}: ${o} but in_flight=${atAck[i]?.in_flight} at the ack`));
    await resumeSending(db, { by: 'tester', ramp: null });
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
