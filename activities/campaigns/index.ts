// The campaign workflow's activities: the fan-out page, the totals poll, the cancel sweep and the
// final status. Each is safe to repeat: a retried activity finds its own earlier effects.
import { activityInfo, heartbeat, log } from '@temporalio/activity';
import pLimit from 'p-limit';
import type { Client } from '@temporalio/client';
import type { Kysely } from 'kysely';
import {
  campaignTotals as countTotals,
  finishCampaign,
  getCampaign,
  saveCampaignTotals,
  skipPendingProspects,
  stopCandidates,
  type Database,
} from '../../db/index.js';
import type { CampaignSpec } from '../../domain/campaigns/spec.js';
import { stopCampaignLead } from '../../temporal/campaign-leads.js';
import type { CampaignTotals } from '../../workflows/campaign/contract.js';
import { createFanoutActivity, FANOUT_PARALLEL } from './fanout.js';
import { startedProspectInput } from '../../temporal/campaign-lead-input.js';

export interface CampaignDeps {
  db: Kysely<Database>;
  client: Client;
  /** Names the leads (temporal/lead-ids.ts): the same secret as the API's. */
  leadIdSecret: string | undefined;
  /** A first step at least this far away defers the lead's start (temporal/campaign-lead-input.ts). */
  deferStartMinMs?: number | undefined;
}

export function createCampaignActivities(deps: CampaignDeps) {
  const { db, client } = deps;

  async function campaignTotals(req: { campaignId: string }): Promise<CampaignTotals> {
    const totals = await countTotals(db, req.campaignId);
    await saveCampaignTotals(db, req.campaignId, totals);
    return totals;
  }

  /** One page of the cancel sweep: every started lead not yet final is told to stop, visibly (who and why). */
  async function stopCampaignLeads(req: {
    campaignId: string;
    afterLeadId: string;
    limit: number;
    by: string;
    reason: string | null;
  }): Promise<{ stopped: number; lastLeadId: string; more: boolean }> {
    if (req.afterLeadId === '') {
      const skipped = await skipPendingProspects(db, req.campaignId, 'the campaign was cancelled before this prospect was started');
      if (skipped > 0) log.info('campaign cancelled: pending prospects skipped', { campaignId: req.campaignId, skipped });
    }
    const rows = await stopCandidates(db, req.campaignId, req.afterLeadId, req.limit);
    const stop = { reason: `campaign ${req.campaignId} cancelled${req.reason !== null ? `: ${req.reason}` : ''}`, by: req.by };
    const campaign = await getCampaign(db, req.campaignId);
    if (campaign === undefined) throw new Error(`campaign ${req.campaignId} does not exist`);
    const spec = campaign.spec as unknown as CampaignSpec;
    const taskQueue = activityInfo().taskQueue;
    // The fan-out's sliding window (activities/campaigns/fanout.ts): each stop of a deferred lead
    // is a signal-with-start, the same server work as a start.
    const inFlight = pLimit(FANOUT_PARALLEL);
    let stopped = 0;
    let done = 0;
    await Promise.all(
      rows.map((p) =>
        inFlight(async () => {
          if (p.lead_id === null) return;
          // Signal-with-start, so a lead still deferred wakes and stops now (temporal/campaign-leads.ts);
          // false: it finished between the query and the signal, nothing to stop.
          const input = startedProspectInput(req.campaignId, spec, p);
          if (await stopCampaignLead(client, input, { leadId: p.lead_id, taskQueue, stop })) stopped += 1;
          if (++done % FANOUT_PARALLEL === 0) heartbeat({ done });
        }),
      ),
    );
    return { stopped, lastLeadId: rows.at(-1)?.lead_id ?? req.afterLeadId, more: rows.length === req.limit };
  }

  /** False when an import landed after the last count: the campaign stays open and fans it out. */
  async function closeCampaign(req: { campaignId: string; status: 'finished' | 'cancelled'; totals: CampaignTotals }): Promise<boolean> {
    return finishCampaign(db, req.campaignId, req.status, req.totals);
  }

  return { startLeadsPage: createFanoutActivity(deps), campaignTotals, stopCampaignLeads, closeCampaign };
}

export type CampaignActivities = ReturnType<typeof createCampaignActivities>;
