// The global emergency stop's entity: a singleton (CONTROL_WORKFLOW_ID) that takes the operators'
// stop and resume commands one at a time. The flag is in the database, where every send reads it
// right before its provider call (a signal to each lead would take minutes for 10,000 of them);
// this workflow only writes it, through an activity, and keeps each answer in its history. It runs
// until continue-as-new and never fails: a repeated stop or resume answers the current state.
import {
  allHandlersFinished,
  condition,
  currentUpdateInfo,
  makeContinueAsNewFunc,
  patched,
  proxyActivities,
  setHandler,
  workflowInfo,
  ApplicationFailure,
} from '@temporalio/workflow';
import type { ControlActivities } from '../../activities/control/index.js';
import {
  checkResumeRequest,
  checkStopRequest,
  controlStateQuery,
  controlTaskQueue,
  CONTROL_OWN_QUEUE_PATCH,
  emergencyStopUpdate,
  resumeUpdate,
  type ControlState,
  type ControlWorkflowInput,
  type EmergencyStopRequest,
  type ResumeRequest,
} from './contract.js';

// A stop must land even through a database blip: retried until it commits (the caller's update
// waits, or times out and asks again, which is harmless: stopping is idempotent).
const ACTIVITY_OPTIONS = {
  startToCloseTimeout: '15 seconds',
  retry: { initialInterval: '200 milliseconds', backoffCoefficient: 2, maximumInterval: '5 seconds' },
} as const;
const onOwnQueue = proxyActivities<ControlActivities>(ACTIVITY_OPTIONS);

const DEFAULT_MAX_UPDATES = 500;

export async function controlWorkflow(input: ControlWorkflowInput = {}): Promise<void> {
  let state: ControlState | null = input.carry?.state ?? null;
  let handled = 0;
  const maxUpdates = input.maxUpdatesPerRun ?? DEFAULT_MAX_UPDATES;
  // A run started on the lead queue (before the control queue existed) sends its activities to the
  // control queue from its first live task on, and continues as new there as soon as it is idle.
  // Its recorded tasks replay unpatched (patched() is false for a missing marker while replaying).
  const queue = controlTaskQueue(workflowInfo().taskQueue);
  const moving = () => queue !== workflowInfo().taskQueue && patched(CONTROL_OWN_QUEUE_PATCH);
  const onControlQueue = proxyActivities<ControlActivities>({ ...ACTIVITY_OPTIONS, taskQueue: queue });
  const activities = () => (moving() ? onControlQueue : onOwnQueue);

  // One command at a time (samples-typescript safe-message-handlers): a resume racing a stop is
  // applied in the order the updates were accepted, each seeing the other's result.
  let tail: Promise<unknown> = Promise.resolve();
  const oneAtATime = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = tail.then(fn, fn);
    tail = run.catch(() => undefined);
    return run;
  };
  const requestId = (kind: string) => `${workflowInfo().workflowId}/${kind}/${currentUpdateInfo()?.id ?? 'unknown'}`;
  const reject = (problem: string | null) => {
    if (problem !== null) throw ApplicationFailure.nonRetryable(problem, 'InvalidControlRequest');
  };

  setHandler(
    emergencyStopUpdate,
    async (req) => {
      const id = requestId('stop');
      return oneAtATime(async () => {
        state = await activities().stopSending({ reason: req.reason.trim(), by: req.by, requestId: id });
        handled += 1;
        return state;
      });
    },
    { validator: (req: EmergencyStopRequest) => reject(checkStopRequest(req)) },
  );
  setHandler(
    resumeUpdate,
    async (req) => {
      const id = requestId('resume');
      return oneAtATime(async () => {
        state = await activities().resumeSending({ ...req, requestId: id });
        handled += 1;
        return state;
      });
    },
    { validator: (req: ResumeRequest) => reject(checkResumeRequest(req)) },
  );
  setHandler(controlStateQuery, () => state);

  // Bounded history: a new run after `maxUpdates` commands or when the server suggests it, with
  // the last state carried as plain JSON, once no command is half-done.
  await condition(() => handled >= maxUpdates || workflowInfo().continueAsNewSuggested || moving());
  await condition(allHandlersFinished);
  await makeContinueAsNewFunc<typeof controlWorkflow>(moving() ? { taskQueue: queue } : {})({
    ...(input.maxUpdatesPerRun !== undefined && { maxUpdatesPerRun: input.maxUpdatesPerRun }),
    carry: { state, runs: (input.carry?.runs ?? 0) + 1 },
  });
}
