// An inbox under a burst of slot requests hands over to a fresh run at its own limit (2,000 events),
// well before the server's suggestion (4,096), and the successor answers every earlier request
// with the same slot: no slot is granted twice across the hand-over. Dev server, real lead worker
// (which runs the inbox workflows), PostgreSQL for the inbox's saved figures.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { reserveSlot, type InboxStart } from '../../temporal/inbox-client.js';
import { inboxEntityKey, inboxWorkflowId, TRANSACTIONAL_POLICY, type SlotAnswer } from '../../workflows/inbox/contract.js';
import { startDevStack, type DevStack } from '../helpers/stack.js';
import { terminateRunning, uniqueName } from '../helpers/temporal.js';

const DEFAULT_LIMIT = 2_000;
const SERVER_SUGGESTION = 4_096;

describe('inbox workflow under a burst', () => {
  let stack: DevStack;
  const taskQueue = uniqueName('inbox-can');

  before(async () => {
    stack = await startDevStack({ leadWorker: { taskQueue } });
  });
  after(async () => {
    await stack?.stop();
  });

  test('continues as new at its own limit and keeps every grant', async () => {
    const client = stack.env.client;
    const start: InboxStart = { inboxId: 'burst-inbox', policy: { ...TRANSACTIONAL_POLICY, dailyCap: 5_000 }, createdAt: Date.now(), taskQueue };
    const workflowId = inboxWorkflowId(inboxEntityKey(start.inboxId, taskQueue));
    const answers = new Map<string, SlotAnswer>();
    const ask = async (n: number) => answers.set(`burst-${n}:1:0`, await reserveSlot(client, start, { key: `burst-${n}:1:0`, leadId: `burst-${n}` }));
    const first = await ask(0).then(async () => (await client.workflow.getHandle(workflowId).describe()).runId);

    // Requests in waves of 8 (the server refuses more than 10 updates in flight to one workflow) until the entity is on a later run (each grant adds ~2 events).
    let n = 1;
    while ((await client.workflow.getHandle(workflowId).describe()).runId === first) {
      assert.ok(n < 2_500, 'the inbox never continued as new');
      await Promise.all(Array.from({ length: 8 }, (_, i) => ask(n + i)));
      n += 8;
    }
    const firstRun = await client.workflow.getHandle(workflowId, first).describe();
    assert.equal(firstRun.status.name, 'CONTINUED_AS_NEW');
    assert.ok(firstRun.historyLength >= DEFAULT_LIMIT, `handed over at ${firstRun.historyLength} events`);
    assert.ok(firstRun.historyLength < SERVER_SUGGESTION, `handed over at ${firstRun.historyLength} events, not before the server's suggestion`);

    // Every request granted once; asked again on the successor, each gets the same slot back.
    const slots = [...answers.values()].map((a) => (a.kind === 'granted' ? a.slotId : `not granted: ${a.kind}`));
    assert.equal(new Set(slots).size, answers.size, 'no slot granted twice');
    for (const key of ['burst-0:1:0', `burst-${n - 1}:1:0`]) {
      const again = await reserveSlot(client, start, { key, leadId: key.split(':')[0] ?? key });
      assert.deepEqual(again.kind === 'granted' && again.slotId, (answers.get(key) as { slotId?: string }).slotId, `${key} kept its slot`);
    }
    await terminateRunning(client, [workflowId]);
  });
});
