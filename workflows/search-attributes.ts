// The custom search attributes operators filter leads by in the Temporal Web UI. One list,
// used by workflows (to upsert), by the dev-server provisioning (to register) and by `doctor`.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const LeadStatusKey = defineSearchAttributeKey('LeadStatus', SearchAttributeType.KEYWORD);
export const CampaignIdKey = defineSearchAttributeKey('CampaignId', SearchAttributeType.KEYWORD);
export const LeadSourceKey = defineSearchAttributeKey('LeadSource', SearchAttributeType.KEYWORD);
export const LeadTierKey = defineSearchAttributeKey('LeadTier', SearchAttributeType.KEYWORD);
export const InboxIdKey = defineSearchAttributeKey('InboxId', SearchAttributeType.KEYWORD);

export const SEARCH_ATTRIBUTES = [LeadStatusKey, CampaignIdKey, LeadSourceKey, LeadTierKey, InboxIdKey] as const;
