// leadWorkflowV2 against leadWorkflow on the dev server (it has a visibility store): the same
// lead, run by each type up to its first message. V2 is the old type with its patches folded in
// (workflows/lead/version.ts), so the two must do the same work, and differ only in what the
// patches cost: V2 writes no patch marker, no TemporalChangeVersion upsert, no upsert that leaves
// a search attribute's value as it was, and one upsert per status change.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import protos, { type temporal } from '@temporalio/proto';
import { queryLeadState, submitLead } from '../../temporal/lead-client.js';
import { arrivedSignal, LEAD_WORKFLOW_TYPE, type LeadInput, type LeadState } from '../../workflows/lead/contract.js';
import { LeadSourceKey, LeadStatusKey } from '../../workflows/search-attributes.js';
import { testIdentity } from '../helpers/codec.js';
import { eventually } from '../helpers/eventually.js';
import { testLeadWorker } from '../helpers/lead-worker.js';
import { makeLeadInput } from '../helpers/leads.js';
import { createDevServerEnv, uniqueName } from '../helpers/temporal.js';
import { openTestDb, type TestDb } from '../helpers/test-db.js';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
const EventType = protos.temporal.api.enums.v1.EventType;

const decoded = (fields: Record<string, temporal.api.common.v1.IPayload> | null | undefined): Record<string, unknown> =>
  Object.fromEntries(Object.entries(fields ?? {}).map(([k, p]) => [k, JSON.parse(Buffer.from(p.data ?? new Uint8Array()).toString('utf8'))]));

/** The events up to the lead's first wait after its first message (its first timer). */
function untilFirstWait(events: HistoryEvent[]): HistoryEvent[] {
  const end = events.findIndex((e) => e.eventType === EventType.EVENT_TYPE_TIMER_STARTED);
  assert.ok(end > 0, 'the lead waits on a timer after its first message');
  return events.slice(0, end + 1);
}

const patchMarkers = (events: HistoryEvent[]) => events.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch');
const upserts = (events: HistoryEvent[]) =>
  events.flatMap((e) =>
    e.upsertWorkflowSearchAttributesEventAttributes ? [decoded(e.upsertWorkflowSearchAttributesEventAttributes.searchAttributes?.indexedFields)] : [],
  );
const scheduled = (events: HistoryEvent[]) =>
  events.flatMap((e) => (e.activityTaskScheduledEventAttributes ? [e.activityTaskScheduledEventAttributes.activityType?.name] : []));
const workflowTaskEvents = new Set([
  EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
  EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED,
  EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
  EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED,
  EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT,
]);
const commandEvents = (events: HistoryEvent[]) => events.filter((e) => !workflowTaskEvents.has(e.eventType ?? EventType.EVENT_TYPE_UNSPECIFIED));
const localActivities = (events: HistoryEvent[]) => events.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity').length;

describe('leadWorkflowV2: the lead with its patches folded in', () => {
  let env: TestWorkflowEnvironment;
  let tdb: TestDb;
  let worker: Worker;
  let running: Promise<void>;
  const taskQueue = uniqueName('lead-v2');

  before(async () => {
    [env, tdb] = await Promise.all([createDevServerEnv(), openTestDb()]);
    worker = await testLeadWorker(env, tdb.db, { taskQueue });
    running = worker.run();
  });
  after(async () => {
    worker?.shutdown();
    await running;
    await tdb?.close();
    await env?.teardown();
  });

  const input = (id: string): LeadInput =>
    makeLeadInput({ source: 'v2-test', externalId: id, contact: { firstName: 'Test', lastName: 'Lead', email: `${id}@example.com`, phone: '+14155552671' } });
  const firstSent = async (leadId: string): Promise<LeadState> =>
    eventually(`${leadId} to send its first message and wait`, async () => {
      const s = await queryLeadState(env.client, leadId);
      return s.stepsSent === 1 && s.status === 'waiting' && s;
    });
  const historyOf = async (leadId: string) => (await env.client.workflow.getHandle(leadId).fetchHistory()).events ?? [];

  test('both types do the same work; V2 writes no patch events and no upsert that changes nothing', async () => {
    const v2 = await submitLead(env.client, input(uniqueName('v2')), { identity: testIdentity, taskQueue });
    // A lead of the old type, as one started before V2 existed would run: same start, other type.
    const v1Id = uniqueName('v1');
    await env.client.workflow.signalWithStart('leadWorkflow', {
      workflowId: v1Id,
      taskQueue,
      args: [input(v1Id)],
      signal: arrivedSignal,
      signalArgs: [{ arrivalId: 'arrival-1', receivedAt: new Date().toISOString() }],
      typedSearchAttributes: [
        { key: LeadStatusKey, value: 'received' },
        { key: LeadSourceKey, value: 'v2-test' },
      ],
    });
    const [s2, s1] = await Promise.all([firstSent(v2.leadId), firstSent(v1Id)]);
    assert.equal(s2.tier, s1.tier);
    assert.deepEqual(
      s2.timeline?.map((t) => t.type),
      s1.timeline?.map((t) => t.type),
    );

    const h2 = await historyOf(v2.leadId);
    const h1 = await historyOf(v1Id);
    assert.equal(h2[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name, LEAD_WORKFLOW_TYPE);
    assert.equal(h1[0]?.workflowExecutionStartedEventAttributes?.workflowType?.name, 'leadWorkflow');
    const e2 = untilFirstWait(h2);
    const e1 = untilFirstWait(h1);

    // The same activities and local activities, in the same order.
    assert.deepEqual(scheduled(e2), scheduled(e1));
    assert.equal(localActivities(e2), localActivities(e1));

    // The old type pays two events per patch (six patches); V2 none.
    assert.equal(patchMarkers(e1).length, 6);
    assert.equal(upserts(e1).filter((u) => 'TemporalChangeVersion' in u).length, 6);
    assert.equal(patchMarkers(e2).length, 0);
    assert.ok(upserts(e2).every((u) => !('TemporalChangeVersion' in u)));
    // And its first upsert repeats what the start set; V2 skips it.
    assert.deepEqual(upserts(e1)[0], { LeadStatus: 'received', LeadSource: 'v2-test' });
    // V2 writes the tier and the inbox with the next status change: two upserts to the first
    // wait, where the old type writes eleven (the start's repeat, six patch versions, tier,
    // inbox, sending, waiting).
    assert.equal(upserts(e1).length, 11);
    const [sending, waiting, ...more] = upserts(e2);
    assert.deepEqual(more, []);
    assert.deepEqual(Object.keys(sending ?? {}).sort(), ['InboxId', 'LeadStatus', 'LeadTier']);
    assert.equal(sending?.LeadStatus, 'sending');
    assert.deepEqual(waiting, { LeadStatus: 'waiting' });
    // Commands' events only: how many workflow tasks a run takes depends on when its activities
    // complete (a completion landing mid-task adds a task), which differs run to run under load.
    const c1 = commandEvents(e1).length;
    const c2 = commandEvents(e2).length;
    assert.equal(c1 - c2, 15, `V1 ${c1} command events, V2 ${c2}`);

    // Every V2 upsert changes a value, starting from what the start set.
    const current: Record<string, unknown> = decoded(h2[0]?.workflowExecutionStartedEventAttributes?.searchAttributes?.indexedFields);
    for (const u of upserts(h2)) {
      for (const [k, v] of Object.entries(u)) {
        assert.notDeepEqual(current[k], v, `upsert of ${k}=${JSON.stringify(v)} changes nothing`);
        current[k] = v;
      }
    }

    // What the Web UI and the visibility queries see is the same for both.
    const sa = async (id: string) => {
      const d = await env.client.workflow.getHandle(id).describe();
      return Object.fromEntries(['LeadStatus', 'LeadSource', 'LeadTier', 'InboxId'].map((k) => [k, d.searchAttributes[k]]));
    };
    const [v2Attrs, v1Attrs] = await Promise.all([sa(v2.leadId), sa(v1Id)]);
    assert.deepEqual(v2Attrs, v1Attrs);
    assert.deepEqual(v2Attrs.LeadStatus, ['waiting']);
    assert.deepEqual(v2Attrs.LeadSource, ['v2-test']);
    assert.ok(Array.isArray(v2Attrs.InboxId) && v2Attrs.InboxId.length === 1, 'the inbox is set');
  });
});
