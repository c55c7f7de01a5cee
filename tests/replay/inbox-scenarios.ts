// The inbox entity's paths whose histories are committed: slots, release, events, a self-pause
// from bounces, an operator's pause and resume, a policy change, batched ops, and runs that
// continue as new keeping their reservations. The lead's side of the inbox is in
// inbox-slot-scenarios.ts. Inbox ids are keyed by the recording's own task queue
// (inboxEntityKey), so they never meet a production entity.
import assert from 'node:assert/strict';
import { WithStartWorkflowOperation, type Client, type WorkflowHandle } from '@temporalio/client';
import { WorkflowIdConflictPolicy } from '@temporalio/common';
import { applyInboxOps, pauseInbox, resumeInbox, reserveSlot, updateInboxPolicy, type InboxStart } from '../../temporal/inbox-client.js';
import {
  inboxEntityKey,
  inboxEventSignal,
  inboxStatusQuery,
  inboxWorkflowId,
  INBOX_WORKFLOW_TYPE,
  releaseSlotSignal,
  reserveSlotsUpdate,
  TRANSACTIONAL_POLICY,
  type InboxEvent,
  type InboxPolicy,
  type InboxStatus,
  type SlotAnswer,
  type SlotRequest,
} from '../../workflows/inbox/contract.js';
import type { Recorded, Scenario } from './scenarios.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// Fixed values: a history must not depend on the day it was recorded more than it has to.
const CREATED_AT = Date.parse('2026-01-05T00:00:00.000Z');
/** No window, no ramp, no gap; judged from 2 messages so a bounce or two decides the inbox's health. */
const POLICY: InboxPolicy = { ...TRANSACTIONAL_POLICY, dailyCap: 100, healthMinSample: 2 };

const granted = (a: SlotAnswer) => {
  assert.equal(a.kind, 'granted', `expected a slot, got ${JSON.stringify(a)}`);
  return a;
};

async function untilStatus(h: WorkflowHandle, ok: (s: InboxStatus) => boolean, what: string): Promise<InboxStatus> {
  for (let i = 0; i < 200; i++) {
    const s = await h.query(inboxStatusQuery);
    if (ok(s)) return s;
    await sleep(50);
  }
  throw new Error(`${h.workflowId} never reached: ${what}`);
}

/**
 * Waits until the inbox's loop has persisted its figures and nothing is in flight, so the recorded
 * history ends at a quiet point rather than mid-activity. The save waits 2 s to coalesce a burst
 * (a timer describe() does not show), so the history must stay unchanged for longer than that.
 */
async function settle(h: WorkflowHandle): Promise<void> {
  let last = -1;
  for (let i = 0; i < 100; i++) {
    const d = await h.describe();
    const length = d.historyLength;
    if (length === last && (d.raw.pendingActivities ?? []).length === 0) return;
    last = length;
    await sleep(2500);
  }
  throw new Error(`${h.workflowId} never settled`);
}

/** Every run of a continue-as-new chain, oldest first, followed through each run's last event. */
async function runChain(client: Client, workflowId: string, firstRunId: string): Promise<string[]> {
  const runs = [firstRunId];
  for (;;) {
    const history = await client.workflow.getHandle(workflowId, runs[runs.length - 1]).fetchHistory();
    const last = history.events?.[history.events.length - 1];
    const next = last?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId;
    if (!next) return runs;
    runs.push(next);
  }
}

/**
 * The signals the slot activities sent before inboxOps (and a worker of the old build still sends
 * during a rolling upgrade): recorded so the inbox keeps answering them.
 */
function inboxSignal(client: Client, start: InboxStart, what: { release: { key: string; reason: string } } | { event: InboxEvent }): Promise<unknown> {
  const { taskQueue, ...input } = start;
  const options = { workflowId: inboxWorkflowId(inboxEntityKey(start.inboxId, taskQueue)), taskQueue: taskQueue!, args: [input] };
  return 'release' in what
    ? client.workflow.signalWithStart(INBOX_WORKFLOW_TYPE, { ...options, signal: releaseSlotSignal, signalArgs: [what.release] })
    : client.workflow.signalWithStart(INBOX_WORKFLOW_TYPE, { ...options, signal: inboxEventSignal, signalArgs: [what.event] });
}
/** The reserveSlots batch update the slot activities sent before inboxOps, likewise. */
function reserveSlots(client: Client, start: InboxStart, reqs: SlotRequest[]): Promise<SlotAnswer[]> {
  const { taskQueue, ...input } = start;
  const workflowId = inboxWorkflowId(inboxEntityKey(start.inboxId, taskQueue));
  const startWorkflowOperation = new WithStartWorkflowOperation(INBOX_WORKFLOW_TYPE, {
    workflowId,
    taskQueue: taskQueue!,
    args: [input],
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
  });
  return client.workflow.executeUpdateWithStart(reserveSlotsUpdate, { args: [reqs], startWorkflowOperation });
}
const releaseSlot = (client: Client, start: InboxStart, key: string, reason: string) => inboxSignal(client, start, { release: { key, reason } });
const reportInboxEvent = (client: Client, start: InboxStart, event: InboxEvent) => inboxSignal(client, start, { event });

/** An inbox started by hand with a short run (historyLimit), so a scenario reaches its hand-over quickly. */
async function startShortRun(client: Client, taskQueue: string, inboxId: string, historyLimit: number) {
  const start: InboxStart = { inboxId, policy: POLICY, createdAt: CREATED_AT, taskQueue };
  const workflowId = inboxWorkflowId(inboxEntityKey(inboxId, taskQueue));
  const first = await client.workflow.start(INBOX_WORKFLOW_TYPE, {
    workflowId,
    taskQueue,
    args: [{ inboxId, policy: POLICY, createdAt: CREATED_AT, historyLimit }],
  });
  return { start, workflowId, first, h: client.workflow.getHandle(workflowId) };
}

export const inboxScenarios: Scenario[] = [
  {
    // A worker's concurrent requests in reserveSlots updates (the batcher before inboxOps):
    // a batch holding a repeated key, a later batch repeating a granted key beside new ones, a
    // refused (malformed) batch, a release, and a single reserveSlot mixed in.
    name: 'batched-slots',
    workflowType: INBOX_WORKFLOW_TYPE,
    async run(client, taskQueue): Promise<Recorded> {
      const start: InboxStart = { inboxId: 'replay-inbox-batched', policy: POLICY, createdAt: CREATED_AT, taskQueue };
      const h = client.workflow.getHandle(inboxWorkflowId(inboxEntityKey(start.inboxId, taskQueue)));
      const req = (n: number) => ({ key: `replay-batch-${n}:1:0`, leadId: `replay-batch-${n}` });
      const first = (await reserveSlots(client, start, [req(1), req(2), req(1), req(3)])).map(granted);
      assert.equal(first[2]!.slotId, first[0]!.slotId, 'a key twice in one batch holds one slot');
      const second = (await reserveSlots(client, start, [req(4), req(2), req(5)])).map(granted);
      assert.equal(second[1]!.slotId, first[1]!.slotId, 'a key asked again in a later batch holds its slot');
      await assert.rejects(reserveSlots(client, start, [req(6), { key: '', leadId: 'nobody' }]));
      await releaseSlot(client, start, req(3).key, 'replay: the send failed');
      granted(await reserveSlot(client, start, req(7)));
      const status = await untilStatus(h, (st) => st.grantedToday === 5, 'five slots held');
      assert.equal(status.grantedToday, 5);
      await settle(h);
      await h.terminate('replay recording done');
      return h.workflowId;
    },
  },
  {
    // The slot activities' inboxOps updates (activities/inboxes/inbox-batch.ts): requests, a
    // release and events in one batch, a repeated key and a repeated event id, a refused batch;
    // then ops arriving while the run hands over to its successor (historyLimit 30), which answers
    // the held keys with the same slots.
    name: 'inbox-ops',
    workflowType: INBOX_WORKFLOW_TYPE,
    async run(client, taskQueue): Promise<Recorded> {
      const { start, workflowId, first, h } = await startShortRun(client, taskQueue, 'replay-inbox-ops', 30);
      const req = (n: number) => ({ key: `replay-ops-${n}:1:0`, leadId: `replay-ops-${n}` });
      const sent = (n: number): InboxEvent => ({ eventId: `sent:${req(n).key}`, kind: 'sent', key: req(n).key });
      const answers = await applyInboxOps(client, start, [
        { op: 'reserve', req: req(1) },
        { op: 'reserve', req: req(2) },
        { op: 'reserve', req: req(1) },
        { op: 'release', key: req(2).key, reason: 'replay: the send failed' },
        { op: 'event', event: sent(1) },
        { op: 'event', event: sent(1) },
        { op: 'event', event: { eventId: 'replay-ops-reply', kind: 'reply', key: req(1).key } },
      ]);
      const kept = granted(answers[0] as SlotAnswer);
      assert.equal(granted(answers[2] as SlotAnswer).slotId, kept.slotId, 'a key twice in one batch holds one slot');
      assert.deepEqual(answers.slice(3), [null, null, null, null]);
      await assert.rejects(applyInboxOps(client, start, [{ op: 'event', event: { eventId: '', kind: 'sent' } }]));
      const status = await untilStatus(h, (st) => st.sentToday === 1, 'one send counted');
      assert.equal(status.grantedToday, 1, 'the released slot is not counted');
      // Batches until the run hands over; a batch that meets the closing run is asked again by the client.
      for (let n = 3; (await h.describe()).runId === first.firstExecutionRunId; n++) {
        if (n > 60) throw new Error('the inbox never continued as new');
        await Promise.all([
          applyInboxOps(client, start, [
            { op: 'reserve', req: req(n) },
            { op: 'event', event: sent(n) },
          ]),
          applyInboxOps(client, start, [{ op: 'reserve', req: req(n + 100) }]),
        ]);
      }
      assert.equal(granted((await applyInboxOps(client, start, [{ op: 'reserve', req: req(1) }]))[0] as SlotAnswer).slotId, kept.slotId);
      await settle(h);
      await h.terminate('replay recording done');
      const runIds = await runChain(client, workflowId, first.firstExecutionRunId);
      assert.ok(runIds.length >= 2, `expected a successor run, got ${runIds.length}`);
      return { workflowId, runIds };
    },
  },
  {
    name: 'slots-events-pause-resume',
    workflowType: INBOX_WORKFLOW_TYPE,
    async run(client, taskQueue): Promise<Recorded> {
      const start: InboxStart = { inboxId: 'replay-inbox-events', policy: POLICY, createdAt: CREATED_AT, taskQueue };
      const h = client.workflow.getHandle(inboxWorkflowId(inboxEntityKey(start.inboxId, taskQueue)));
      const req = (n: number) => ({ key: `replay-lead-${n}:1:0`, leadId: `replay-lead-${n}` });
      // The first request starts the entity (update-with-start); a repeated key gets the same slot
      // (within a run the server answers it from the first update; the successor run's own
      // answer from its reservations is in the continue-as-new scenario).
      const one = granted(await reserveSlot(client, start, req(1)));
      const two = granted(await reserveSlot(client, start, req(2)));
      granted(await reserveSlot(client, start, req(3)));
      assert.equal(granted(await reserveSlot(client, start, req(1))).slotId, one.slotId);
      await releaseSlot(client, start, req(3).key, 'replay: the send failed');
      await reportInboxEvent(client, start, { eventId: `sent:${req(1).key}`, kind: 'sent', key: req(1).key });
      await reportInboxEvent(client, start, { eventId: `sent:${req(2).key}`, kind: 'sent', key: req(2).key });
      await reportInboxEvent(client, start, { eventId: 'replay-reply-1', kind: 'reply', key: req(1).key });
      // One hard bounce in two sends is a 50% bounce rate: the inbox pauses itself at once.
      await reportInboxEvent(client, start, { eventId: 'replay-bounce-1', kind: 'hard_bounce', key: req(2).key, detail: '550 5.1.1 user unknown' });
      await reportInboxEvent(client, start, { eventId: 'replay-bounce-1', kind: 'hard_bounce', key: req(2).key, detail: 'a repeated delivery' });
      await reportInboxEvent(client, start, { eventId: 'replay-block-1', kind: 'block_bounce', detail: '554 5.7.1 spam filter' });
      const paused = await untilStatus(h, (s) => s.pause !== null, 'paused by its bounces');
      assert.equal(paused.pause?.kind, 'bounce_rate');
      assert.equal(paused.health.inputs.bounces, 2, 'the repeated event id is counted once');
      assert.equal(paused.grantedToday, 2, 'the released slot is not counted');
      const refused = await reserveSlot(client, start, req(4));
      assert.equal(refused.kind, 'wait');
      // An operator's open-ended pause replaces the inbox's own; the resume lifts it early.
      await pauseInbox(client, start, { by: 'replay-operator', reason: 'replay: checking the list' });
      await untilStatus(h, (s) => s.pause?.kind === 'operator', 'paused by the operator');
      await resumeInbox(client, start, 'replay-operator');
      await untilStatus(h, (s) => s.pause === null, 'resumed');
      // A fresh key: the update id is `reserve:<key>`, and the server answers a repeated id from its
      // earlier outcome in this run, so req(4) would get its old "wait" back even now.
      granted(await reserveSlot(client, start, req(5)));
      const status = await updateInboxPolicy(client, start, { ...POLICY, dailyCap: 50, minGapSeconds: 60 });
      assert.equal(status.policy.dailyCap, 50);
      assert.ok(two.slotId !== one.slotId);
      await settle(h);
      // Terminated so the history ends where it was recorded (the entity would otherwise run on).
      await h.terminate('replay recording done');
      return h.workflowId;
    },
  },
  {
    name: 'continue-as-new',
    workflowType: INBOX_WORKFLOW_TYPE,
    async run(client, taskQueue): Promise<Recorded> {
      const { start, workflowId, first, h } = await startShortRun(client, taskQueue, 'replay-inbox-can', 20);
      const req = (n: number) => ({ key: `replay-can-${n}:1:0`, leadId: `replay-can-${n}` });
      const kept = granted(await reserveSlot(client, start, req(1)));
      // Requests and events until the run hands over to its successor (20 events of history).
      for (let n = 2; (await h.describe()).runId === first.firstExecutionRunId; n++) {
        if (n > 40) throw new Error('the inbox never continued as new');
        granted(await reserveSlot(client, start, req(n)));
        await reportInboxEvent(client, start, { eventId: `sent:${req(n).key}`, kind: 'sent', key: req(n).key });
        await sleep(200);
      }
      // The successor carries the reservations: the same key, the same slot.
      assert.equal(granted(await reserveSlot(client, start, req(1))).slotId, kept.slotId);
      await settle(h);
      await h.terminate('replay recording done');
      const runIds = await runChain(client, workflowId, first.firstExecutionRunId);
      assert.ok(runIds.length >= 2, `expected a successor run, got ${runIds.length}`);
      return { workflowId, runIds };
    },
  },
  {
    // A run started by update-with-start with no test limit: it asks for the early hand-over patch
    // (inbox-early-continue-as-new-v1) in its first task. The hand-over itself is the one the
    // continue-as-new scenario records; tests/integration/inbox-continue-as-new.test.ts drives a
    // run to the default limit.
    name: 'default-history-limit',
    workflowType: INBOX_WORKFLOW_TYPE,
    async run(client, taskQueue): Promise<Recorded> {
      const start: InboxStart = { inboxId: 'replay-inbox-default-limit', policy: POLICY, createdAt: CREATED_AT, taskQueue };
      const h = client.workflow.getHandle(inboxWorkflowId(inboxEntityKey(start.inboxId, taskQueue)));
      for (let n = 1; n <= 3; n++) granted(await reserveSlot(client, start, { key: `replay-limit-${n}:1:0`, leadId: `replay-limit-${n}` }));
      await reportInboxEvent(client, start, { eventId: 'sent:replay-limit-1:1:0', kind: 'sent', key: 'replay-limit-1:1:0' });
      await settle(h);
      await h.terminate('replay recording done');
      return h.workflowId;
    },
  },
];
