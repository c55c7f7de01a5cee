// An inbox under a burst of slot requests hands over to a fresh run at its own limit (2,000 events),
// well before the server's suggestion (4,096), and the successor answers every earlier request
// with the same slot: no slot is granted twice across the hand-over. Under a stream of requests,
// sent notes and releases (the slot activities' inboxOps batches) the hand-over's task never fails
// (a signal landing during it did: UNHANDLED_COMMAND, then a replay of the whole run per try) and
// every op counts once. Dev server, real lead worker (which runs the inbox workflows), PostgreSQL
// for the inbox's saved figures.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { inboxBatcher } from '../../activities/inboxes/inbox-batch.js';
import { reserveSlot, type InboxStart } from '../../temporal/inbox-client.js';
import {
  INBOX_WORKFLOW_TYPE,
  inboxEntityKey,
  inboxStatusQuery,
  inboxWorkflowId,
  TRANSACTIONAL_POLICY,
  type SlotAnswer,
} from '../../workflows/inbox/contract.js';
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

  test('ops arriving all through several hand-overs: no failed task, each op counted once', async () => {
    const client = stack.env.client;
    // Health judged from 1,000 sends on: 320 sends with no reply yet must not cut the day's limit.
    const policy = { ...TRANSACTIONAL_POLICY, dailyCap: 5_000, healthMinSample: 1_000 };
    const start: InboxStart = { inboxId: 'ops-inbox', policy, createdAt: Date.now(), taskQueue };
    const workflowId = inboxWorkflowId(inboxEntityKey(start.inboxId, taskQueue));
    // A short run (the test's limit) so the stream meets several hand-overs.
    const first = await client.workflow.start(INBOX_WORKFLOW_TYPE, {
      workflowId,
      taskQueue,
      args: [{ inboxId: start.inboxId, policy, createdAt: start.createdAt, historyLimit: 150 }],
    });
    const batcher = inboxBatcher(client);
    const entity = inboxEntityKey(start.inboxId, taskQueue);
    const N = 400;
    const slots = new Map<number, string>();
    // Each "lead" asks for a slot, then tells the inbox it sent (twice, as a retried activity
    // would), or gives the slot back (every fifth); 400 of them 40 at a time.
    for (let wave = 0; wave < N; wave += 40) {
      await Promise.all(
        Array.from({ length: 40 }, async (_, i) => {
          const n = wave + i;
          const key = `ops-${n}:1:0`;
          const a = await batcher.reserve(entity, start, { key, leadId: `ops-${n}` }, Date.now() + 60_000);
          assert.equal(a.kind, 'granted');
          slots.set(n, (a as { slotId: string }).slotId);
          if (n % 5 === 0) return batcher.tell(entity, start, { op: 'release', key, reason: 'the send failed' }, Date.now() + 60_000);
          for (let k = 0; k < 2; k++)
            await batcher.tell(entity, start, { op: 'event', event: { eventId: `sent:${key}`, kind: 'sent', key } }, Date.now() + 60_000);
        }),
      );
    }
    const status = await client.workflow.getHandle(workflowId).query(inboxStatusQuery);
    assert.equal(new Set(slots.values()).size, N, 'no slot granted twice');
    assert.equal(status.sentToday, N - N / 5, 'each send counted once');
    assert.equal(status.grantedToday, N - N / 5, 'each released slot given back once');

    // Follow the chain: several runs, and not one workflow task failed in any of them.
    const runs: string[] = [first.firstExecutionRunId];
    const failed: string[] = [];
    for (;;) {
      const events = (await client.workflow.getHandle(workflowId, runs[runs.length - 1]).fetchHistory()).events ?? [];
      for (const e of events) if (e.workflowTaskFailedEventAttributes != null) failed.push(String(e.workflowTaskFailedEventAttributes.cause));
      const next = events[events.length - 1]?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId;
      if (!next) break;
      runs.push(next);
    }
    assert.ok(runs.length >= 3, `the stream met at least two hand-overs: ${runs.length} runs`);
    assert.deepEqual(failed, [], 'no workflow task failed');
    await terminateRunning(client, [workflowId]);
  });
});
