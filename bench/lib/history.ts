// What a workflow's history says about its path to the first message: how many activities (regular
// and local), workflow tasks and events it took, and where the time went (workflow tasks waiting to
// be picked up, activities waiting, activities running, the rest). Only the local-activity marker's
// name and the send's activity type are assumed; every other name is whatever the history holds,
// so the figures follow the lead workflow as its path changes.
import type { History } from '@temporalio/common/lib/proto-utils.js';
import protos from '@temporalio/proto';

const ET = protos.temporal.api.enums.v1.EventType;
type Event = NonNullable<History['events']>[number];

/** Core SDK's marker for a completed local activity. */
export const LOCAL_ACTIVITY_MARKER = 'core_local_activity';

/** One workflow task's worth of activities: local ones run in the task, regular ones scheduled by it. */
export interface Batch {
  local: number;
  regular: number;
}

export interface PathFacts {
  /** WorkflowExecutionStarted, epoch ms (server clock). */
  startedAt: number;
  /** The first send's ActivityTaskCompleted, epoch ms: the message was accepted. */
  firstSendAt: number;
  /** Up to and including the first send. */
  regularActivities: number;
  localActivities: number;
  /** Through the workflow task that takes in the send's result. */
  workflowTasks: number;
  events: number;
  /** Sums over the path, ms. */
  wftQueueMs: number;
  activityQueueMs: number;
  activityRunMs: number;
  /** activityRunMs by activity type. */
  runMsByType: Record<string, number>;
  shape: Batch[];
}

const ms = (e: Event): number => Number(e.eventTime?.seconds ?? 0) * 1000 + (e.eventTime?.nanos ?? 0) / 1e6;
const id = (x: unknown): number => Number(x ?? 0);

/** Facts of the path to the first completed activity of type `sendType`; null if it has none yet. */
export function pathFacts(history: History, sendType: string): PathFacts | null {
  const events = history.events ?? [];
  const byId = new Map<number, Event>(events.map((e) => [id(e.eventId), e]));
  const send = events.find(
    (e) => e.eventType === ET.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED && e.activityTaskScheduledEventAttributes?.activityType?.name === sendType,
  );
  const done =
    send === undefined
      ? undefined
      : events.find(
          (e) => e.eventType === ET.EVENT_TYPE_ACTIVITY_TASK_COMPLETED && id(e.activityTaskCompletedEventAttributes?.scheduledEventId) === id(send.eventId),
        );
  if (done === undefined) return null;
  const cut = events.indexOf(done);
  // The workflow task that reads the send's result belongs to the path (the issue counts it).
  const after = events.findIndex((e, i) => i > cut && e.eventType === ET.EVENT_TYPE_WORKFLOW_TASK_COMPLETED);
  const countCut = after === -1 ? events.length - 1 : after;

  const f: PathFacts = {
    startedAt: events[0] === undefined ? NaN : ms(events[0]),
    firstSendAt: ms(done),
    regularActivities: 0,
    localActivities: 0,
    workflowTasks: 0,
    events: countCut + 1,
    wftQueueMs: 0,
    activityQueueMs: 0,
    activityRunMs: 0,
    runMsByType: {},
    shape: [],
  };
  let batch: Batch = { local: 0, regular: 0 };
  events.forEach((e, i) => {
    if (i > countCut) return;
    if (e.eventType === ET.EVENT_TYPE_WORKFLOW_TASK_STARTED) f.workflowTasks += 1;
    if (i > cut) return;
    switch (e.eventType) {
      case ET.EVENT_TYPE_WORKFLOW_TASK_STARTED: {
        const scheduled = byId.get(id(e.workflowTaskStartedEventAttributes?.scheduledEventId));
        if (scheduled !== undefined) f.wftQueueMs += ms(e) - ms(scheduled);
        break;
      }
      case ET.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
        if (batch.local + batch.regular > 0) f.shape.push(batch);
        batch = { local: 0, regular: 0 };
        break;
      case ET.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
        f.regularActivities += 1;
        batch.regular += 1;
        break;
      case ET.EVENT_TYPE_MARKER_RECORDED:
        if (e.markerRecordedEventAttributes?.markerName === LOCAL_ACTIVITY_MARKER) {
          f.localActivities += 1;
          batch.local += 1;
        }
        break;
      case ET.EVENT_TYPE_ACTIVITY_TASK_STARTED: {
        // Written when the attempt ends, but stamped with the time it really started.
        const scheduled = byId.get(id(e.activityTaskStartedEventAttributes?.scheduledEventId));
        if (scheduled !== undefined) f.activityQueueMs += ms(e) - ms(scheduled);
        break;
      }
      case ET.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
      case ET.EVENT_TYPE_ACTIVITY_TASK_FAILED:
      case ET.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT: {
        const a = e.activityTaskCompletedEventAttributes ?? e.activityTaskFailedEventAttributes ?? e.activityTaskTimedOutEventAttributes;
        const started = byId.get(id(a?.startedEventId));
        if (started !== undefined) {
          const type = byId.get(id(a?.scheduledEventId))?.activityTaskScheduledEventAttributes?.activityType?.name ?? '?';
          f.activityRunMs += ms(e) - ms(started);
          f.runMsByType[type] = (f.runMsByType[type] ?? 0) + ms(e) - ms(started);
        }
        break;
      }
    }
  });
  if (batch.local + batch.regular > 0) f.shape.push(batch);
  return f;
}
