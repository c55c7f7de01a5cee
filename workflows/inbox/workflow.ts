// One inbox, as an entity: grants send slots (state.ts) and keeps its figures where the API, the
// rotation and the send activity's last guard read them (the inbox_state row). The loop persists
// after changes, at most every few seconds, wakes when the clock changes them (a new day, a pause
// running out), and
// hands its plain-JSON state to a fresh run before the history grows large.
import { allHandlersFinished, condition, continueAsNew, patched, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { InboxStateActivities } from '../../activities/inboxes/state.js';
import type { InboxWorkflowInput } from './contract.js';
import { InboxState } from './state.js';

const { saveInboxStatus } = proxyActivities<InboxStateActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** Grants in a burst are persisted together rather than one activity each. */
const SAVE_COALESCE_MS = 2_000;

/**
 * A run hands over after this many events (about 600 grants), well before the server suggests it
 * (4,096 events by default). Under a burst of reserveSlot updates the history grows by hundreds of
 * events between two looks at the suggestion, and an inbox evicted from a small sticky cache
 * (WORKER_MEMORY_MB) replays its whole run before it can answer the next lead: a short run keeps
 * that replay to milliseconds. Runs started before the patch keep the server's suggestion only.
 */
const DEFAULT_HISTORY_LIMIT = 2_000;

export async function inboxWorkflow(input: InboxWorkflowInput): Promise<void> {
  const st = new InboxState(input);
  let saved = -1;
  const historyLimit = input.historyLimit ?? (patched('inbox-early-continue-as-new-v1') ? DEFAULT_HISTORY_LIMIT : undefined);
  const dueForNewRun = () => {
    const info = workflowInfo();
    return info.continueAsNewSuggested || (historyLimit !== undefined && info.historyLength >= historyLimit);
  };
  for (;;) {
    // Asleep until something changes, or until the figures change by the clock (a new day, a
    // pause running out): one timer a day, not one an hour.
    const wakeAt = st.nextClockChange(Date.now());
    await condition(() => st.version !== saved || dueForNewRun(), Math.max(1, wakeAt - Date.now()));
    if (st.version !== saved) await condition(() => dueForNewRun(), SAVE_COALESCE_MS);
    const version = st.version;
    st.prune(Date.now());
    await saveInboxStatus(st.status());
    saved = version;
    if (dueForNewRun()) break;
  }
  // Let any update in progress finish so its caller gets the answer from this run.
  await condition(allHandlersFinished);
  await continueAsNew<typeof inboxWorkflow>({ ...input, policy: st.policy, carry: st.carry });
}
