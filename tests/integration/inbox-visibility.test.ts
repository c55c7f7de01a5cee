// A lead is found by the inbox it sends from: the InboxId search attribute, set when its first
// message takes a slot, answers a visibility list query on the dev server (the time-skipping
// server has no visibility store, so the rotation tests cannot ask it).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { insertInbox } from '../../db/index.js';
import { leadHandle, submitLead } from '../../temporal/lead-client.js';
import { TRANSACTIONAL_POLICY } from '../../workflows/inbox/contract.js';
import { testIdentity } from '../helpers/codec.js';
import { eventually } from '../helpers/eventually.js';
import { makeLeadInput } from '../helpers/leads.js';
import { recordingTransport } from '../helpers/recording-transport.js';
import { startDevStack, type DevStack } from '../helpers/stack.js';
import { uniqueName } from '../helpers/temporal.js';

describe('leads by InboxId (dev server visibility)', () => {
  let stack: DevStack;
  const taskQueue = uniqueName('inbox-visibility');
  before(async () => {
    stack = await startDevStack({ leadWorker: { taskQueue, services: { transports: { email: recordingTransport(), sms: recordingTransport() } } } });
  });
  after(async () => {
    await stack?.stop();
  });

  test('InboxId = "<id>" lists the lead that sends from that inbox, and only it', async () => {
    const { env, tdb } = stack;
    const inbox = uniqueName('vis');
    await insertInbox(tdb.db, {
      id: inbox,
      kind: 'smtp',
      channel: 'email',
      address: `${inbox}@dealer.example`,
      displayName: null,
      policy: TRANSACTIONAL_POLICY,
      settings: {},
      secretsEnc: null,
      verifiedAt: new Date(),
    });
    const other = makeLeadInput({ sequence: [{ delay: 0 }], finalWait: '1 second' });
    const mine = makeLeadInput({ inboxes: [inbox], sequence: [{ delay: 0 }], finalWait: '1 second' });
    const [a, b] = await Promise.all([other, mine].map((input) => submitLead(env.client, input, { identity: testIdentity, taskQueue })));
    for (const lead of [a, b]) assert.equal((await leadHandle(env.client, lead!.leadId).result()).status, 'no_response');

    const listed = (query: string) =>
      eventually(`a visibility answer to ${query}`, async () => {
        const ids: string[] = [];
        for await (const wf of env.client.workflow.list({ query })) ids.push(wf.workflowId);
        return ids.length > 0 ? ids : undefined;
      });
    assert.deepEqual(await listed(`InboxId = "${inbox}"`), [b!.leadId]);
    assert.deepEqual(await listed(`InboxId = "${inbox}" AND ExecutionStatus = "Completed"`), [b!.leadId]);
  });
});
