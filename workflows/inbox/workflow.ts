// One inbox, as an entity: grants send slots (state.ts) and keeps its figures where the API, the
// rotation and the send activity's last guard read them (the inbox_state row). The loop persists
// after changes, at most every few seconds, re-checks hourly (a pause running out, a new day), and
// hands its plain-JSON state to a fresh run before the history grows large.
import { allHandlersFinished, condition, continueAsNew, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { InboxStateActivities } from '../../activities/inboxes/state.js';
import type { InboxWorkflowInput } from './contract.js';
import { InboxState } from './state.js';

const { saveInboxStatus } = proxyActivities<InboxStateActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** Grants in a burst are persisted together rather than one activity each. */
const SAVE_COALESCE_MS = 2_000;
const RECHECK_MS = 60 * 60_000;

export async function inboxWorkflow(input: InboxWorkflowInput): Promise<void> {
  const st = new InboxState(input);
  let saved = -1;
  const dueForNewRun = () => {
    const info = workflowInfo();
    return info.continueAsNewSuggested || (input.historyLimit !== undefined && info.historyLength >= input.historyLimit);
  };
  for (;;) {
    await condition(() => st.version !== saved || dueForNewRun(), RECHECK_MS);
    if (st.version !== saved) {
      await condition(() => dueForNewRun(), SAVE_COALESCE_MS);
      const version = st.version;
      st.prune(Date.now());
      await saveInboxStatus(st.status());
      saved = version;
    } else {
      st.prune(Date.now());
      await saveInboxStatus(st.status());
    }
    if (dueForNewRun()) break;
  }
  // Let any update in progress finish so its caller gets the answer from this run.
  await condition(allHandlersFinished);
  await continueAsNew<typeof inboxWorkflow>({ ...input, policy: st.policy, carry: st.carry });
}
