// Payload encryption end to end on the time-skipping server: what the server stores is
// ciphertext, the key id rides in the payload's metadata, keys rotate (a history written under
// key 1 replays once key 2 is added in front), a history whose key is gone does not, and the
// codec leaves unencrypted payloads (written before it) as they are.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { randomBytes } from 'node:crypto';
import { Client } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { AesGcmCodec, encryptingDataConverter, parsePayloadKeys, PayloadKeyError, type PayloadKey } from '../../temporal/codec.js';
import { leadHandle, stopLead, submitLead } from '../../temporal/lead-client.js';
import { workflowBundle } from '../../workers/bundle.js';
import { testLeadWorker } from '../helpers/lead-worker.js';
import { makeLeadInput } from '../helpers/leads.js';
import { createTimeSkippingEnv, uniqueName } from '../helpers/temporal.js';
import { openTestDb, type TestDb } from '../helpers/test-db.js';
import { testIdentity } from '../helpers/codec.js';

const key = (id: string): PayloadKey => ({ id, key: randomBytes(32) });
const utf8 = (s: string) => Buffer.from(s, 'utf8');

describe('payload codec (AES-256-GCM, rotating keys)', () => {
  let env: TestWorkflowEnvironment;
  let tdb: TestDb;
  const k1 = key('k1');
  const k2 = key('k2');

  before(async () => {
    [env, tdb] = await Promise.all([createTimeSkippingEnv(), openTestDb()]);
  });
  after(async () => {
    await env?.teardown();
    await tdb?.close();
  });

  test('round trip, key id in the metadata, tampering and unknown keys refused, plain payloads passed through', async () => {
    const plain: Payload = { metadata: { encoding: utf8('json/plain') }, data: utf8('{"email":"jane@example.com"}') };
    const [sealed] = await new AesGcmCodec([k1]).encode([plain]);
    assert.equal(Buffer.from(sealed!.metadata!['encryption-key-id']!).toString(), 'k1');
    assert.ok(!Buffer.from(sealed!.data!).includes('jane@example.com'));
    const [opened] = await new AesGcmCodec([k2, k1]).decode([sealed!]);
    assert.equal(Buffer.from(opened!.data!).toString(), '{"email":"jane@example.com"}');
    const tampered = { ...sealed!, data: Buffer.from(sealed!.data!).map((b, i) => (i === 20 ? b ^ 1 : b)) };
    await assert.rejects(new AesGcmCodec([k1]).decode([tampered]));
    await assert.rejects(new AesGcmCodec([k2]).decode([sealed!]), PayloadKeyError);
    assert.deepEqual(await new AesGcmCodec([k1]).decode([plain]), [plain]);
    assert.throws(() => parsePayloadKeys('nokey'), PayloadKeyError);
    assert.throws(() => parsePayloadKeys(`a:${Buffer.alloc(16).toString('base64')}`), /32 bytes/);
    assert.throws(() => parsePayloadKeys(`a:${Buffer.alloc(32).toString('base64')},a:${Buffer.alloc(32).toString('base64')}`), /unique/);
  });

  test('the server stores ciphertext; a history written under key 1 replays after key 2 is added, not once key 1 is gone', async () => {
    const taskQueue = uniqueName('codec');
    const email = `${uniqueName('secret')}@example.com`;
    const client = new Client({ connection: env.connection, namespace: env.namespace ?? 'default', dataConverter: encryptingDataConverter([k1]) });
    const worker = await testLeadWorker(env, tdb.db, { client, dataConverter: encryptingDataConverter([k1]), taskQueue });
    const history = await worker.runUntil(async () => {
      const { leadId } = await submitLead(client, makeLeadInput({ contact: { firstName: 'Zebulon', lastName: 'Quux', email, phone: '+15555550142' } }), {
        identity: testIdentity,
        taskQueue,
      });
      await stopLead(client, leadId, { reason: 'test', by: 'codec test' });
      await leadHandle(client, leadId).result();
      return { workflowId: leadId, history: await leadHandle(client, leadId).fetchHistory() };
    });
    const stored = JSON.stringify(historyToJSON(history.history));
    for (const secret of [email, 'Zebulon', '5555550142']) assert.ok(!stored.includes(secret), `${secret} is not in the stored history`);
    assert.ok(stored.includes(Buffer.from('binary/encrypted').toString('base64')), 'payloads carry the encrypted encoding');

    const replay = async (keys: PayloadKey[]) => {
      for await (const r of Worker.runReplayHistories({ workflowBundle: await workflowBundle(), dataConverter: encryptingDataConverter(keys) }, [history]))
        return r.error;
      return new Error('nothing replayed');
    };
    assert.equal(await replay([k2, k1]), undefined, 'rotated: k2 encrypts, k1 still decrypts');
    assert.ok((await replay([k2])) !== undefined, 'without k1 the history cannot be read');
  });
});
