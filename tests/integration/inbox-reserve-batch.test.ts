// The slot activity's batcher (activities/inboxes/reserve-batch.ts) against a real inbox workflow
// (dev server, the lead worker running the inbox, PostgreSQL for its figures): concurrent
// requests to one inbox go in a few reserveSlots updates, each request gets its own answer, a key
// asked twice (in one burst or later) holds one slot, and the inbox refuses malformed batches
// without failing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { AttemptTimeUpError } from '../../activities/inboxes/inbox-calls.js';
import { reserveBatcher } from '../../activities/inboxes/reserve-batch.js';
import { reserveSlots, type InboxStart } from '../../temporal/inbox-client.js';
import { inboxEntityKey, inboxStatusQuery, inboxWorkflowId, MAX_RESERVE_BATCH, TRANSACTIONAL_POLICY, type SlotAnswer } from '../../workflows/inbox/contract.js';
import { startDevStack, type DevStack } from '../helpers/stack.js';
import { uniqueName } from '../helpers/temporal.js';

/** The update's failure names the validator's reason (WorkflowUpdateFailedError carries it as its cause). */
const refusedFor = (re: RegExp) => (err: unknown) => {
  assert.match(String((err as Error).cause), re);
  return true;
};
const granted = (a: SlotAnswer) => (a.kind === 'granted' ? a : assert.fail(`not granted: ${a.reason}`));

describe('slot requests batched per inbox (dev server, lead worker)', () => {
  const taskQueue = uniqueName('reserve-batch');
  let s: DevStack;
  before(async () => {
    s = await startDevStack({ leadWorker: { taskQueue } });
  });
  after(async () => {
    await s?.stop();
  });
  const inbox = (id: string): InboxStart => ({ inboxId: id, policy: { ...TRANSACTIONAL_POLICY, dailyCap: 10_000 }, createdAt: 0, taskQueue });
  const handle = (id: string) => s.env.client.workflow.getHandle(inboxWorkflowId(inboxEntityKey(id, taskQueue)));
  /** The names of the updates the inbox accepted, from its history. */
  const updates = async (id: string) =>
    ((await handle(id).fetchHistory()).events ?? []).flatMap((e) => {
      const name = e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name;
      return name == null ? [] : [name];
    });

  test('300 requests at once: every one granted its own slot, in a handful of updates; asked again, the same slots', async () => {
    const id = uniqueName('inbox');
    const key = inboxEntityKey(id, taskQueue);
    const reserve = reserveBatcher(s.env.client);
    const deadline = () => Date.now() + 60_000;
    const keys = Array.from({ length: 300 }, (_, i) => `lead:${id}-${i}:step:1`);
    // The first key twice in the same burst: one slot.
    const asks = [...keys, keys[0]!].map((k) => reserve(key, inbox(id), { key: k, leadId: k.split(':step')[0]! }, deadline()));
    const answers = (await Promise.all(asks)).map(granted);
    assert.equal(new Set(answers.slice(0, 300).map((a) => a.slotId)).size, 300, 'distinct keys, distinct slots');
    assert.equal(answers[300]!.slotId, answers[0]!.slotId, 'the same key in one burst holds one slot');
    assert.ok(answers.every((a) => a.inboxId === id));

    const names = await updates(id);
    assert.ok(
      names.every((n) => n === 'reserveSlots'),
      `only batch updates: ${[...new Set(names)].join(', ')}`,
    );
    assert.ok(names.length >= Math.ceil(301 / MAX_RESERVE_BATCH), `at least ${Math.ceil(301 / MAX_RESERVE_BATCH)} updates: ${names.length}`);
    assert.ok(names.length < 301 / 4, `requests went together: ${names.length} updates for 301 requests`);
    assert.equal((await handle(id).query(inboxStatusQuery)).grantedToday, 300);

    // Every activity retried at once: each key gets the slot it holds, nothing new is granted.
    const again = (await Promise.all(keys.map((k) => reserve(key, inbox(id), { key: k, leadId: k.split(':step')[0]! }, deadline())))).map(granted);
    assert.deepEqual(
      again.map((a) => a.slotId),
      answers.slice(0, 300).map((a) => a.slotId),
    );
    assert.equal((await handle(id).query(inboxStatusQuery)).grantedToday, 300);
  });

  test('a request whose attempt has no time left fails at once and never reaches the inbox', async () => {
    const id = uniqueName('inbox');
    const reserve = reserveBatcher(s.env.client);
    await assert.rejects(reserve(inboxEntityKey(id, taskQueue), inbox(id), { key: 'late:step:1', leadId: 'late' }, Date.now() - 1), AttemptTimeUpError);
    granted(await reserve(inboxEntityKey(id, taskQueue), inbox(id), { key: 'on-time:step:1', leadId: 'on-time' }, Date.now() + 30_000));
    const st = await handle(id).query(inboxStatusQuery);
    assert.equal(st.grantedToday, 1, 'only the request that had time was granted');
  });

  test('the inbox refuses an empty batch, one over the limit, and one with a request missing its key, and keeps granting', async () => {
    const id = uniqueName('inbox');
    const client = s.env.client;
    await assert.rejects(reserveSlots(client, inbox(id), []), refusedFor(/reserveSlots needs 1 to 50 requests/));
    const tooMany = Array.from({ length: MAX_RESERVE_BATCH + 1 }, (_, i) => ({ key: `k${i}`, leadId: `l${i}` }));
    await assert.rejects(reserveSlots(client, inbox(id), tooMany), refusedFor(/reserveSlots needs 1 to 50 requests/));
    await assert.rejects(
      reserveSlots(client, inbox(id), [
        { key: 'ok', leadId: 'l' },
        { key: '', leadId: 'l2' },
      ]),
      refusedFor(/needs a key and a leadId/),
    );
    const [a] = await reserveSlots(client, inbox(id), [{ key: 'fine:step:1', leadId: 'fine' }]);
    granted(a!);
    assert.equal((await handle(id).query(inboxStatusQuery)).grantedToday, 1, 'refused batches granted nothing');
  });
});
