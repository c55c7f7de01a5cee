// Suppression management: an admin adds and releases addresses through the API (audited, a
// release keeps its reason), a released address gets mail again through the real ledger, and
// the CLI does the same against the same database.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { FastifyInstance } from 'fastify';
import { createSendActivities, type SendOutcome } from '../../activities/send/ledger.js';
import type { OutboundMessage } from '../../activities/send/transports.js';
import { listSuppressionReleases } from '../../db/index.js';
import { Failure } from '../../domain/failures/index.js';
import { runCli } from '../helpers/cli.js';
import type { Problem } from '../helpers/inboxes.js';
import { recordingTransport } from '../helpers/recording-transport.js';
import { uniqueName } from '../helpers/temporal.js';
import { bearer, dbOnlyApp } from '../helpers/db-app.js';
import { openTestDb, type TestDb } from '../helpers/test-db.js';

describe('suppression management', () => {
  let tdb: TestDb;
  let app: FastifyInstance;
  const auth: Record<'admin' | 'write', Record<string, string>> = { admin: {}, write: {} };
  const transport = recordingTransport();

  before(async () => {
    tdb = await openTestDb();
    // The suppression routes need no Temporal: a client that is never called.
    app = await dbOnlyApp(tdb.db);
    for (const scope of ['admin', 'write'] as const) auth[scope] = await bearer(tdb.db, `${scope}-key`, [scope]);
  });
  after(async () => {
    await app?.close();
    await tdb?.close();
  });

  const send = (to: string) => {
    const l = createSendActivities({ db: tdb.db, transports: { email: transport, sms: transport } });
    const msg: OutboundMessage = { idempotencyKey: uniqueName('lead-s:step-1'), leadId: 'lead:s', step: 1, channel: 'email', to, subject: 's', text: 't' };
    return new MockActivityEnvironment().run<[OutboundMessage], SendOutcome, typeof l.sendMessage>(l.sendMessage, msg);
  };

  test('an admin adds an address; sends to it are refused; a release with a reason lets the next one out', async () => {
    const added = await app.inject({
      method: 'POST',
      url: '/suppressions',
      headers: auth.admin,
      payload: { address: 'Buyer@Example.com', reason: 'asked by phone' },
    });
    assert.equal(added.statusCode, 201, added.body);
    const row = added.json<{ id: string; address: string; reason: string; created: boolean }>();
    assert.deepEqual([row.address, row.reason, row.created], ['buyer@example.com', 'manual: asked by phone', true]);
    const again = await app.inject({ method: 'POST', url: '/suppressions', headers: auth.admin, payload: { address: 'buyer@example.com', reason: 'twice' } });
    assert.equal(again.statusCode, 200);
    assert.equal(again.json<{ created: boolean }>().created, false);

    const refused = await send('buyer@example.com').then(
      () => assert.fail('expected a refusal'),
      (e: unknown) => e as ApplicationFailure,
    );
    assert.equal(refused.type, Failure.Suppressed);

    const found = await app.inject({ method: 'GET', url: '/suppressions?address=BUYER@example.com', headers: auth.admin });
    assert.deepEqual(
      found.json<{ items: Array<{ id: string }> }>().items.map((i) => i.id),
      [row.id],
    );
    const noReason = await app.inject({ method: 'DELETE', url: `/suppressions/${row.id}`, headers: auth.admin });
    assert.equal(noReason.statusCode, 400);
    assert.equal(noReason.json<Problem>().errors?.[0]?.field, 'reason');
    const writer = await app.inject({ method: 'DELETE', url: `/suppressions/${row.id}?reason=x`, headers: auth.write });
    assert.equal(writer.statusCode, 403, 'releasing needs the admin scope');
    const released = await app.inject({ method: 'DELETE', url: `/suppressions/${row.id}`, headers: auth.admin, payload: { reason: 'customer opted back in' } });
    assert.equal(released.statusCode, 200, released.body);
    assert.equal(released.json<{ reason: string; suppressed_reason: string }>().reason, 'customer opted back in');
    assert.equal((await app.inject({ method: 'DELETE', url: `/suppressions/${row.id}?reason=x`, headers: auth.admin })).statusCode, 404);

    const out = await send('buyer@example.com');
    assert.equal(out.status, 'sent');
    assert.equal(transport.sends.at(-1)?.msg.to, 'buyer@example.com');

    const audit = await tdb.db.selectFrom('audit_log').select(['method', 'route', 'target', 'status']).where('route', 'like', '/suppressions%').execute();
    assert.ok(audit.some((a) => a.method === 'DELETE' && a.target === row.id && a.status === 200));
    assert.ok(audit.some((a) => a.method === 'POST' && a.status === 201));
    const bad = await app.inject({ method: 'POST', url: '/suppressions', headers: auth.admin, payload: { address: 'not an address', reason: 'x' } });
    assert.equal(bad.json<Problem>().errors?.[0]?.field, 'address');
    const typo = await app.inject({ method: 'POST', url: '/suppressions', headers: auth.admin, payload: { address: 'a@b.example', reason: 'x', reasn: 'y' } });
    assert.equal(typo.json<Problem>().errors?.[0]?.field, '/reasn');
  });

  test('the CLI lists, adds and removes (by address), audited with the operator', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadflow-suppr-'));
    const env = { DATABASE_URL: tdb.url, LEADFLOW_DATA_DIR: dataDir };
    const add = await runCli(['suppressions', 'add', '+12025550143', '--reason', 'do not text'], env);
    assert.equal(add.code, 0, add.stderr);
    assert.match(add.stdout, /suppressed \+12025550143/);
    const list = await runCli(['suppressions', 'list', '--json', '--address', '+12025550143'], env);
    const rows = JSON.parse(list.stdout) as Array<{ channel: string; reason: string }>;
    assert.deepEqual(
      rows.map((r) => [r.channel, r.reason]),
      [['sms', 'manual: do not text']],
    );
    const noReason = await runCli(['suppressions', 'remove', '+12025550143'], env);
    assert.notEqual(noReason.code, 0, 'a release needs a reason');
    const removed = await runCli(['suppressions', 'remove', '+12025550143', '--reason', 'opted in by SMS START'], env);
    assert.equal(removed.code, 0, removed.stderr);
    const releases = await listSuppressionReleases(tdb.db, { limit: 10, offset: 0 });
    assert.ok(releases.some((r) => r.address === '+12025550143' && r.reason === 'opted in by SMS START' && r.released_by.startsWith('cli:')));
    const audit = await tdb.db.selectFrom('audit_log').select(['route', 'api_key_name']).where('method', '=', 'CLI').execute();
    assert.deepEqual(audit.map((a) => a.route).sort(), ['leadflow suppressions add', 'leadflow suppressions remove']);
    assert.equal((await runCli(['suppressions', 'remove', 'nobody@example.com', '--reason', 'x'], env)).code, 1);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
});
