// One campaign, one workflow: it starts the campaign's lead workflows in pages (an activity per
// page, fixed IDs, "already started" is success), keeps running totals and finishes only when
// every lead has. 100,000 prospects never bloat one history: it continues as new every few pages
// or polls, carrying only its cursor. A crash mid-page reruns the page: the leads it had started
// are found started, the rest start now, so nobody is skipped or started twice.
//
// Pause and cancel are flags in the database, set by the API before it signals here: every slot
// grant and send gate of the campaign's leads reads them, so they hold for 10,000 leads at once.
// The signals only steer this workflow's own fan-out (and the cancel sweep).
import { condition, continueAsNew, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { CampaignActivities } from '../../activities/campaigns/index.js';
import {
  campaignCancelSignal,
  campaignPauseSignal,
  campaignResumeSignal,
  campaignStateQuery,
  prospectsAddedSignal,
  type CampaignCarry,
  type CampaignWorkflowInput,
} from './contract.js';

const { startLeadsPage, stopCampaignLeads } = proxyActivities<CampaignActivities>({
  // A page of a few hundred starts; it heartbeats, so a killed worker's page is retried in seconds.
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});
const { campaignTotals, closeCampaign } = proxyActivities<CampaignActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

export async function campaignWorkflow(input: CampaignWorkflowInput): Promise<CampaignCarry['totals']> {
  const { campaignId } = input;
  const pageSize = input.pageSize ?? 200;
  const stepsPerRun = input.stepsPerRun ?? 25;
  const pollMs = input.pollMs ?? 60_000;
  const c: CampaignCarry = input.carry ?? { phase: 'fanout', cursor: '0', paused: false, cancel: null, totals: null, pages: 0, cancelCursor: '' };
  let waiting: string | null = null;
  let added = false;

  setHandler(campaignPauseSignal, () => void (c.paused = true));
  setHandler(campaignResumeSignal, () => void (c.paused = false));
  setHandler(campaignCancelSignal, (req) => {
    c.cancel ??= req;
  });
  setHandler(prospectsAddedSignal, () => void (added = true));
  setHandler(campaignStateQuery, () => ({
    campaignId,
    phase: c.phase,
    paused: c.paused,
    cancelRequested: c.cancel !== null,
    cursor: c.cursor,
    pages: c.pages,
    totals: c.totals,
    waiting,
  }));

  let steps = 0;
  const next = () => continueAsNew<typeof campaignWorkflow>({ ...input, carry: c });
  const due = () => ++steps >= stepsPerRun || workflowInfo().continueAsNewSuggested;

  for (;;) {
    if (c.cancel !== null && c.phase !== 'cancelling' && c.phase !== 'done') c.phase = 'cancelling';

    if (c.phase === 'fanout') {
      if (c.paused) {
        waiting = 'paused';
        await condition(() => !c.paused || c.cancel !== null);
        waiting = null;
        continue;
      }
      // `now`: the daily cap's day is this workflow's, whose timer waits for the next one (fanout.ts).
      const page = await startLeadsPage({ campaignId, afterSeq: c.cursor, limit: pageSize, now: Date.now() });
      c.cursor = page.lastSeq;
      c.pages += 1;
      if (page.wait !== null) {
        // The daily cap of new leads, or a status the signal has not brought yet (a pause racing
        // this page): look again then, or at once on a cancel.
        waiting = page.wait.reason;
        await condition(() => c.cancel !== null, Math.max(1_000, page.wait.until - Date.now()));
        waiting = null;
      } else if (!page.more) {
        c.phase = 'monitor';
      }
      if (due()) return next();
      continue;
    }

    if (c.phase === 'monitor') {
      added = false;
      const totals = await campaignTotals({ campaignId });
      c.totals = totals;
      if (totals.pending > 0) c.phase = 'fanout';
      else if (totals.sending === 0 && c.cancel === null) {
        if (await closeCampaign({ campaignId, status: 'finished', totals })) {
          c.phase = 'done';
          return totals;
        }
        c.phase = 'fanout';
      } else await condition(() => added || c.cancel !== null, pollMs);
      if (due()) return next();
      continue;
    }

    if (c.phase === 'cancelling') {
      const cancel = c.cancel ?? { by: 'unknown', reason: null };
      const swept = await stopCampaignLeads({ campaignId, afterLeadId: c.cancelCursor, limit: pageSize, by: cancel.by, reason: cancel.reason });
      c.cancelCursor = swept.lastLeadId;
      if (!swept.more) {
        // Every lead was told to stop; it ends once its current activity returns.
        const totals = await campaignTotals({ campaignId });
        c.totals = totals;
        if (totals.sending === 0) {
          c.phase = 'done';
          await closeCampaign({ campaignId, status: 'cancelled', totals });
          return totals;
        }
        await condition(() => false, Math.min(pollMs, 5_000));
      }
      if (due()) return next();
      continue;
    }
    return c.totals;
  }
}
