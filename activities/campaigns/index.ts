// The campaign workflow's activities: the fan-out page, the totals poll, the cancel sweep and the
// final status. Each is safe to repeat: a retried activity finds its own earlier effects.
import { heartbeat, log } from '@temporalio/activity';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Kysely } from 'kysely';
import { campaignTotals as countTotals, finishCampaign, saveCampaignTotals, skipPendingProspects, stopCandidates, type Database } from '../../db/index.js';
import { stopLead } from '../../temporal/lead-client.js';
import type { CampaignTotals } from '../../workflows/campaign/contract.js';
import { createFanoutActivity } from './fanout.js';

export interface CampaignDeps {
  db: Kysely<Database>;
  client: Client;
  /** Names the leads (temporal/lead-ids.ts): the same secret as the API's. */
  leadIdSecret: string | undefined;
}

const PARALLEL = 16;

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
    const ids = await stopCandidates(db, req.campaignId, req.afterLeadId, req.limit);
    const reason = `campaign ${req.campaignId} cancelled${req.reason !== null ? `: ${req.reason}` : ''}`;
    let stopped = 0;
    for (let i = 0; i < ids.length; i += PARALLEL) {
      await Promise.all(
        ids.slice(i, i + PARALLEL).map(async (id) => {
          try {
            await stopLead(client, id, { reason, by: req.by });
            stopped += 1;
          } catch (err) {
            // Finished between the query and the signal: nothing to stop.
            if (!(err instanceof WorkflowNotFoundError)) throw err;
          }
        }),
      );
      heartbeat({ done: i + PARALLEL });
    }
    return { stopped, lastLeadId: ids.at(-1) ?? req.afterLeadId, more: ids.length === req.limit };
  }

  /** False when an import landed after the last count: the campaign stays open and fans it out. */
  async function closeCampaign(req: { campaignId: string; status: 'finished' | 'cancelled'; totals: CampaignTotals }): Promise<boolean> {
    return finishCampaign(db, req.campaignId, req.status, req.totals);
  }

  return { startLeadsPage: createFanoutActivity(deps), campaignTotals, stopCampaignLeads, closeCampaign };
}

export type CampaignActivities = ReturnType<typeof createCampaignActivities>;
