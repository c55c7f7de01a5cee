// An operator's signal (stop, pause, resume, retry) to a campaign lead whose start is still
// deferred (status 'scheduled'). A plain signal would wait with the workflow until its first step
// is due, so the lead would go on showing 'scheduled' for hours after a 202; signal-with-start
// wakes it and it acts now: a stop ends it, a pause shows it paused.
import type { Client } from '@temporalio/client';
import type { SignalDefinition } from '@temporalio/common';
import { getCampaign, getCampaignProspectByLead, getLead, SCHEDULED_STATUS, type Database } from '../../db/index.js';
import type { Kysely } from 'kysely';
import type { CampaignSpec } from '../../domain/campaigns/spec.js';
import { signalCampaignLead } from '../../temporal/campaign-leads.js';
import { startedProspectInput } from '../../temporal/campaign-lead-input.js';

/** true: signalled; false: its workflow no longer runs; null: not a deferred campaign lead (signal it as usual). */
export async function signalIfScheduled<Arg>(
  db: Kysely<Database>,
  client: Client,
  leadId: string,
  signal: { def: SignalDefinition<[Arg]>; arg: Arg },
  taskQueue: string | undefined,
): Promise<boolean | null> {
  const lead = await getLead(db, leadId);
  if (lead?.status !== SCHEDULED_STATUS || lead.campaign_id === null) return null;
  const campaignId = lead.campaign_id;
  const [campaign, prospect] = await Promise.all([getCampaign(db, campaignId), getCampaignProspectByLead(db, campaignId, leadId)]);
  if (campaign === undefined || prospect === undefined) return null;
  const input = startedProspectInput(campaignId, campaign.spec as unknown as CampaignSpec, prospect);
  return signalCampaignLead(client, input, { leadId, taskQueue, signal: signal.def, arg: signal.arg });
}
