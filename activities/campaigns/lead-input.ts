// A prospect as its lead workflow's input: the campaign's steps (delays and channels; the content
// is read at send time by the drafter, so a PATCH reaches steps not yet sent), its inboxes,
// sender, scoring and handover settings. The wait is long enough for the whole sequence, the
// reply window after it, and warm-up queues in between.
import { msToNumber, type Duration } from '@temporalio/common';
import type { CampaignProspectRow } from '../../db/schema-campaigns.js';
import type { CampaignSpec } from '../../domain/campaigns/spec.js';
import type { LeadInput } from '../../workflows/lead/contract.js';

/** Slack for slots: a warming inbox may queue a message for days before it goes out. */
const SLOT_SLACK_MS = 30 * 86_400_000;
const DEFAULT_REPLY_WAIT = '7 days';

export function prospectLeadInput(campaignId: string, spec: CampaignSpec, p: CampaignProspectRow): LeadInput {
  const sequenceMs = spec.steps.reduce((sum, s) => sum + msToNumber(s.delay as Duration), 0);
  const replyMs = msToNumber((spec.waitFor ?? DEFAULT_REPLY_WAIT) as Duration);
  return {
    source: 'campaign',
    externalId: null,
    campaignId,
    contact: { firstName: p.first_name, lastName: p.last_name, email: p.email, phone: p.phone },
    // Stored with the lead for the operator; the drafter reads the prospect row itself.
    payload: { prospect: { importId: p.import_id, row: p.row_number, company: p.company, fields: p.fields } },
    sequence: spec.steps.map((s) => ({
      delay: msToNumber(s.delay as Duration),
      channel: s.channel ?? spec.channel,
      ai: s.prompt != null && s.prompt.trim() !== '',
    })),
    senderName: spec.senderName,
    ...(spec.scoringWeights !== undefined && { scoringWeights: spec.scoringWeights }),
    ...(spec.handover !== undefined && { handover: spec.handover }),
    inboxes: spec.inboxes,
    // The list's time-zone column: windows (the inbox's and the campaign's) open in the recipient's hours.
    ...(p.time_zone !== null && { recipientTimeZone: p.time_zone }),
    finalWait: replyMs,
    waitFor: sequenceMs + replyMs + SLOT_SLACK_MS,
  };
}
