// Two inboxes under one set of leads, on the time-skipping server with the real lead worker: the
// first messages are spread by room left (each inbox takes at most its daily cap at once), every
// follow-up goes out from the inbox that sent the lead's first message.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { insertInbox, listOutbox } from '../../db/index.js';
import { leadHandle, submitLead } from '../../temporal/lead-client.js';
import { createLeadWorker } from '../../workers/lead-worker.js';
import { TRANSACTIONAL_POLICY, type InboxPolicy } from '../../workflows/inbox/contract.js';
import { makeLeadInput } from '../helpers/leads.js';
import { recordingTransport } from '../helpers/recording-transport.js';
import { testServices } from '../helpers/services.js';
import { createTimeSkippingEnv, uniqueName } from '../helpers/temporal.js';
import { openTestDb, type TestDb } from '../helpers/test-db.js';
import { testDataConverter, testIdentity } from '../helpers/codec.js';

describe('inbox rotation (time-skipping server, real PostgreSQL)', () => {
  let env: TestWorkflowEnvironment;
  let tdb: TestDb;
  let worker: Worker;
  let running: Promise<void>;
  const email = recordingTransport();
  const taskQueue = uniqueName('rotation');

  before(async () => {
    [env, tdb] = await Promise.all([createTimeSkippingEnv(), openTestDb()]);
    worker = await createLeadWorker({
      connection: env.nativeConnection,
      client: env.client,
      namespace: 'default',
      db: tdb.db,
      taskQueue,
      dataConverter: testDataConverter,
      services: testServices({ transports: { email, sms: recordingTransport() } }),
    });
    running = worker.run();
  });
  after(async () => {
    worker?.shutdown();
    await running;
    await env?.teardown();
    await tdb?.close();
  });

  async function addInbox(id: string, dailyCap: number): Promise<void> {
    const policy: InboxPolicy = { ...TRANSACTIONAL_POLICY, dailyCap };
    await insertInbox(tdb.db, {
      id,
      kind: 'smtp',
      channel: 'email',
      address: `${id}@dealer.example`,
      displayName: id,
      policy,
      settings: {},
      secretsEnc: null,
      verifiedAt: new Date(),
    });
  }

  test('first messages spread by room left; follow-ups stay on their inbox', async () => {
    const [a, b] = [uniqueName('rot-a'), uniqueName('rot-b')];
    await addInbox(a, 2);
    await addInbox(b, 4);
    const leads: string[] = [];
    for (let i = 0; i < 6; i++) {
      const input = makeLeadInput({ inboxes: [a, b], sequence: [{ delay: 0 }, { delay: '1 day' }] });
      const { leadId } = await submitLead(env.client, input, { identity: testIdentity, taskQueue });
      leads.push(leadId);
      // One after the other, as leads arrive: each first message asks while the others are held.
      for (let t = 0; t < 200 && !email.sends.some((s) => s.msg.leadId === leadId); t++) await new Promise((r) => setTimeout(r, 50));
    }
    for (const id of leads) await leadHandle(env.client, id).result();

    const rows = (await listOutbox(tdb.db, { limit: 500, offset: 0 })).filter((r) => leads.includes(r.lead_id) && r.status === 'sent');
    assert.equal(rows.length, 12, 'two messages for each of six leads');
    const first = rows.filter((r) => r.step === 1);
    const perInbox = (inbox: string, rs = first) => rs.filter((r) => r.inbox_id === inbox).length;
    assert.deepEqual([perInbox(a), perInbox(b)], [2, 4], 'the first messages fill each inbox to its cap: 2 on a, 4 on b');
    for (const lead of leads) {
      const [s1, s2] = [1, 2].map((step) => rows.find((r) => r.lead_id === lead && r.step === step));
      assert.ok(s1?.inbox_id !== null && s1?.inbox_id === s2?.inbox_id, `${lead}: the follow-up went out from ${s1?.inbox_id}, its first inbox`);
    }
    assert.deepEqual([perInbox(a, rows), perInbox(b, rows)], [4, 8], 'each inbox sent its leads both messages');
  });
});
