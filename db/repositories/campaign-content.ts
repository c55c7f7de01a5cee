// What the drafter and the preview read of a campaign: its current spec (so a PATCH reaches the
// steps not yet sent) and the prospect a campaign lead was started from.
import type { CampaignProspectRow, CampaignStatus } from '../schema-campaigns.js';
import type { JsonObject } from '../schema.js';
import type { Db } from './leads.js';

export interface CampaignContent {
  id: string;
  /** The stored CampaignSpec, as validated when it was saved. */
  spec: JsonObject;
  version: number;
  status: CampaignStatus;
}

export const getCampaignContent = (db: Db, campaignId: string): Promise<CampaignContent | undefined> =>
  db.selectFrom('campaigns').select(['id', 'spec', 'version', 'status']).where('id', '=', campaignId).executeTakeFirst();

/** The prospect row a lead of this campaign was started from (lead_id is set at fan-out). */
export const getCampaignProspectByLead = (db: Db, campaignId: string, leadId: string): Promise<CampaignProspectRow | undefined> =>
  db.selectFrom('campaign_prospects').selectAll().where('lead_id', '=', leadId).where('campaign_id', '=', campaignId).executeTakeFirst();
