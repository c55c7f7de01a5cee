// Two inboxes under one set of leads, on the time-skipping server with the real lead worker: the
// first messages are spread by room left (each inbox takes at most its daily cap at once), every
// follow-up goes out from the inbox that sent the lead's first message. The edges: every inbox of
// a lead paused (it waits visibly, never fails, sends once one resumes) and equal room decided by
// health. Finding a lead by its InboxId needs a server with visibility: inbox-visibility.test.ts.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { sql } from 'kysely';
import { getInbox, insertInbox, listInboxStates, listOutbox } from '../../db/index.js';
import { inboxEntityKey, inboxStartOf, pauseInbox, resumeInbox, type InboxStart } from '../../temporal/inbox-client.js';
import { leadHandle, queryLeadState, submitLead } from '../../temporal/lead-client.js';
import { createLeadWorker } from '../../workers/lead-worker.js';
import { TRANSACTIONAL_POLICY, type InboxPolicy } from '../../workflows/inbox/contract.js';
import { eventually } from '../helpers/eventually.js';
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

  async function addInbox(id: string, dailyCap: number, ageDays = 0): Promise<void> {
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
    // An inbox registered long ago: its age earns the health score's 10 age points.
    if (ageDays > 0) await sql`update inboxes set created_at = now() - make_interval(days => ${ageDays}::int) where id = ${id}`.execute(tdb.db);
  }

  /** What the API would hand the inbox client for this inbox, on this worker's queue. */
  async function startOf(id: string): Promise<InboxStart> {
    return { ...inboxStartOf(id, await getInbox(tdb.db, id)), taskQueue };
  }
  /** The inbox's figures as the rotation reads them, once `ok` holds. */
  const savedState = (id: string, what: string, ok: (s: { paused: boolean; health: number }) => boolean) =>
    eventually(what, async () => {
      const [row] = await listInboxStates(tdb.db, [inboxEntityKey(id, taskQueue)]);
      return row !== undefined && ok(row) ? row : undefined;
    });
  const oneStep = (inboxes: string[]) => makeLeadInput({ inboxes, sequence: [{ delay: 0 }], finalWait: '1 minute' });
  const sentFrom = async (leadId: string) =>
    (await listOutbox(tdb.db, { limit: 500, offset: 0 })).filter((r) => r.lead_id === leadId && r.status === 'sent').map((r) => r.inbox_id);

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

  test('every inbox of the lead paused: it waits visibly with the reason, never fails, and sends once one resumes', async () => {
    const [a, b] = [uniqueName('paused-a'), uniqueName('paused-b')];
    await addInbox(a, 5);
    await addInbox(b, 5);
    for (const id of [a, b]) await pauseInbox(env.client, await startOf(id), { by: 'ops', reason: 'domain reputation review' });
    for (const id of [a, b]) await savedState(id, `${id} saved as paused`, (r) => r.paused);

    const { leadId } = await submitLead(env.client, oneStep([a, b]), { identity: testIdentity, taskQueue });
    const waiting = await eventually('the lead waiting for a slot', async () => {
      const st = await queryLeadState(env.client, leadId);
      return st.status === 'waiting_for_slot' ? st : undefined;
    });
    assert.equal(waiting.slotWait, `every inbox of this lead is paused: ${a} (until resumed), ${b} (until resumed)`);
    assert.equal(waiting.stepsSent ?? 0, 0);
    assert.deepEqual(await sentFrom(leadId), [], 'nothing sent, from no other inbox');

    await resumeInbox(env.client, await startOf(b), 'ops');
    await savedState(b, `${b} saved as resumed`, (r) => !r.paused);
    // The lead asks again within 30 minutes (an operator may resume at any time): skipped here.
    const outcome = await leadHandle(env.client, leadId).result();
    assert.equal(outcome.status, 'no_response', 'the lead went on: sent, then no answer');
    assert.equal(outcome.stepsSent, 1);
    assert.deepEqual(await sentFrom(leadId), [b], 'sent once, from the inbox that resumed');
  });

  test('equal room left: the healthier inbox takes the first message', async () => {
    // Both have 3 left today; the one registered 40 days ago scores 100 (age), the new one about
    // 90. The weaker one's id sorts first, so only the health can put the other ahead.
    const [weak, healthy] = [uniqueName('tie-a'), uniqueName('tie-b')];
    await addInbox(weak, 3);
    await addInbox(healthy, 3, 40);
    // Started (and saved) before the lead comes: an inbox never heard from counts as wide open.
    for (const id of [weak, healthy]) await resumeInbox(env.client, await startOf(id), 'ops');
    await savedState(weak, `${weak} saved`, (r) => r.health < 100);
    await savedState(healthy, `${healthy} saved`, (r) => r.health === 100);

    const { leadId } = await submitLead(env.client, oneStep([weak, healthy]), { identity: testIdentity, taskQueue });
    assert.equal((await leadHandle(env.client, leadId).result()).status, 'no_response');
    assert.deepEqual(await sentFrom(leadId), [healthy]);
    assert.equal((await queryLeadState(env.client, leadId)).inboxId, healthy);
  });
});
