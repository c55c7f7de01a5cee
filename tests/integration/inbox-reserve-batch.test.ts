// The slot activity's batcher (activities/inboxes/inbox-batch.ts) against a real inbox workflow
// (dev server, the lead worker running the inbox, PostgreSQL for its figures): concurrent
// requests to one inbox go in a few inboxOps updates, each request gets its own answer, a key
// asked twice (in one burst or later) holds one slot, releases and events share the updates and
// count once, and the inbox refuses malformed batches without failing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { AttemptTimeUpError } from '../../activities/inboxes/inbox-calls.js';
import { inboxBatcher } from '../../activities/inboxes/inbox-batch.js';
import { applyInboxOps, type InboxStart } from '../../temporal/inbox-client.js';
import {
  inboxEntityKey,
  inboxStatusQuery,
  inboxWorkflowId,
  MAX_INBOX_OPS,
  TRANSACTIONAL_POLICY,
  type InboxOp,
  type SlotAnswer,
} from '../../workflows/inbox/contract.js';
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
    const reserve = inboxBatcher(s.env.client).reserve;
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
      names.every((n) => n === 'inboxOps'),
      `only batch updates: ${[...new Set(names)].join(', ')}`,
    );
    assert.ok(names.length >= Math.ceil(301 / MAX_INBOX_OPS), `at least ${Math.ceil(301 / MAX_INBOX_OPS)} updates: ${names.length}`);
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
    const reserve = inboxBatcher(s.env.client).reserve;
    await assert.rejects(reserve(inboxEntityKey(id, taskQueue), inbox(id), { key: 'late:step:1', leadId: 'late' }, Date.now() - 1), AttemptTimeUpError);
    granted(await reserve(inboxEntityKey(id, taskQueue), inbox(id), { key: 'on-time:step:1', leadId: 'on-time' }, Date.now() + 30_000));
    const st = await handle(id).query(inboxStatusQuery);
    assert.equal(st.grantedToday, 1, 'only the request that had time was granted');
  });

  test('releases and events go in the same updates as requests, and each counts once', async () => {
    const id = uniqueName('inbox');
    const key = inboxEntityKey(id, taskQueue);
    const batcher = inboxBatcher(s.env.client);
    const keys = Array.from({ length: 120 }, (_, i) => `lead:${id}-${i}:step:1`);
    const slots = (await Promise.all(keys.map((k) => batcher.reserve(key, inbox(id), { key: k, leadId: k.split(':step')[0]! })))).map(granted);
    assert.equal(new Set(slots.map((a) => a.slotId)).size, 120);
    // All at once: the first 100 sent (each note told twice, as a retried activity would), the last 20 given back.
    await Promise.all([
      ...keys
        .slice(0, 100)
        .flatMap((k) => [1, 2].map(() => batcher.tell(key, inbox(id), { op: 'event', event: { eventId: `sent:${k}`, kind: 'sent', key: k } }))),
      ...keys.slice(100).map((k) => batcher.tell(key, inbox(id), { op: 'release', key: k, reason: 'the send failed' })),
    ]);
    const st = await handle(id).query(inboxStatusQuery);
    assert.equal(st.sentToday, 100, 'each send counted once');
    assert.equal(st.grantedToday, 100, 'the released slots are not counted');
    const names = await updates(id);
    assert.ok(
      names.every((n) => n === 'inboxOps'),
      `only batch updates: ${[...new Set(names)].join(', ')}`,
    );
    assert.ok(names.length < (120 + 220) / 4, `ops went together: ${names.length} updates for 340 ops`);
    // Nothing reached the inbox as a signal.
    const signals = ((await handle(id).fetchHistory()).events ?? []).filter((e) => e.workflowExecutionSignaledEventAttributes != null);
    assert.equal(signals.length, 0);
  });

  test('the inbox refuses an empty batch, one over the limit, and malformed ops, and keeps granting', async () => {
    const id = uniqueName('inbox');
    const client = s.env.client;
    await assert.rejects(applyInboxOps(client, inbox(id), []), refusedFor(/inboxOps needs 1 to 50 ops/));
    const tooMany: InboxOp[] = Array.from({ length: MAX_INBOX_OPS + 1 }, (_, i) => ({ op: 'reserve', req: { key: `k${i}`, leadId: `l${i}` } }));
    await assert.rejects(applyInboxOps(client, inbox(id), tooMany), refusedFor(/inboxOps needs 1 to 50 ops/));
    const bad: [InboxOp, RegExp][] = [
      [{ op: 'reserve', req: { key: '', leadId: 'l2' } }, /needs a key and a leadId/],
      [{ op: 'release', key: '', reason: 'x' }, /release needs the key/],
      [{ op: 'event', event: { eventId: '', kind: 'sent' } }, /needs an eventId/],
      [{ op: 'event', event: { eventId: 'e1', kind: 'opened' as never } }, /unknown inbox event kind: opened/],
      [{ op: 'forget' } as never, /unknown inbox op: forget/],
    ];
    for (const [op, re] of bad)
      await assert.rejects(applyInboxOps(client, inbox(id), [{ op: 'reserve', req: { key: 'ok', leadId: 'l' } }, op]), refusedFor(re));
    const [a] = await applyInboxOps(client, inbox(id), [{ op: 'reserve', req: { key: 'fine:step:1', leadId: 'fine' } }]);
    granted(a as SlotAnswer);
    assert.equal((await handle(id).query(inboxStatusQuery)).grantedToday, 1, 'refused batches granted nothing');
  });
});
