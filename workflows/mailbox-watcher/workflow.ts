// One workflow per watched mailbox. The IMAP work is a long-running heartbeating activity that
// checkpoints each processed UID; the workflow restarts it when it ends its run window or fails,
// from the newest checkpoint, and continues-as-new so its history stays small forever.
import {
  ActivityCancellationType,
  CancellationScope,
  condition,
  continueAsNew,
  isCancellation,
  log,
  proxyActivities,
  setHandler,
  allHandlersFinished,
  workflowInfo,
} from '@temporalio/workflow';
import type { createMailActivities } from '../../activities/mail/watch-activity.js';
import {
  stopWatcherSignal,
  watcherStateQuery,
  type MailboxCheckpoint,
  type MailboxWatcherInput,
  type MailboxWatcherState,
  type WatcherStopRequest,
} from './contract.js';

const { watchMailbox } = proxyActivities<ReturnType<typeof createMailActivities>>({
  // The activity returns by itself after its run window (minutes); this is only the backstop.
  startToCloseTimeout: '2 hours',
  // Heartbeats carry the checkpoint; a worker that dies is noticed within a minute.
  heartbeatTimeout: '1 minute',
  // IMAP outages and bad credentials are retried with backoff until an operator fixes them:
  // the watcher must never give up on a mailbox by itself.
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
  // Wait for the activity to log out and report its checkpoint before the workflow moves on.
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
});

/** Activity runs per workflow run before continue-as-new, whatever the server suggests. */
const RUNS_PER_EXECUTION = 50;

export async function mailboxWatcherWorkflow(input: MailboxWatcherInput): Promise<MailboxWatcherState> {
  let checkpoint: MailboxCheckpoint | null = input.checkpoint;
  let runs = input.runs ?? 0;
  let stopping: WatcherStopRequest | null = null;
  const state = (): MailboxWatcherState => ({ mailboxId: input.mailboxId, checkpoint, runs, stopping });
  setHandler(stopWatcherSignal, (req) => {
    stopping ??= req;
  });
  setHandler(watcherStateQuery, state);
  const stopRequested = (): boolean => stopping !== null;

  for (let inThisRun = 0; !stopRequested() && inThisRun < RUNS_PER_EXECUTION; inThisRun++) {
    const scope = new CancellationScope();
    const run = scope.run(() =>
      watchMailbox({ mailboxId: input.mailboxId, mailbox: input.mailbox, checkpoint, ...(input.inboxId !== undefined && { inboxId: input.inboxId }) }),
    );
    let finished = false;
    const settled = run
      .then(
        (cp) => {
          checkpoint = cp ?? checkpoint;
        },
        (err: unknown) => {
          if (!isCancellation(err)) throw err;
        },
      )
      .finally(() => {
        finished = true;
      });
    await condition(() => finished || stopRequested());
    if (!finished) scope.cancel();
    await settled;
    runs += 1;
    if (workflowInfo().continueAsNewSuggested) break;
  }
  if (stopRequested()) {
    log.info('mailbox watcher stopped', { mailboxId: input.mailboxId, stop: state().stopping });
    return state();
  }
  await condition(allHandlersFinished);
  return continueAsNew<typeof mailboxWatcherWorkflow>({ ...input, checkpoint, runs });
}
