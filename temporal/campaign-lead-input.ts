// A prospect as its lead workflow's input: the campaign's steps (delays and channels; the content
// is read at send time by the drafter, so a PATCH reaches steps not yet sent), its inboxes,
// sender, scoring and handover settings. The wait is long enough for the whole sequence, the
// reply window after it, and warm-up queues in between.
import { msToNumber, type Duration } from '@temporalio/common';
import type { CampaignSpec } from '../domain/campaigns/spec.js';
import type { LeadInput } from '../workflows/lead/contract.js';

/** The prospect row's fields its lead is made of (db/schema-campaigns.ts; a row is one). */
export interface ProspectFields {
  import_id: string;
  row_number: number;
  email: string | null;
  phone: string | null;
  first_name: string | null;
  last_name: string | null;
  company: string | null;
  time_zone: string | null;
  fields: Record<string, string>;
  started_at: Date | null;
}

/** Slack for slots: a warming inbox may queue a message for days before it goes out. */
const SLOT_SLACK_MS = 30 * 86_400_000;
const DEFAULT_REPLY_WAIT = '7 days';

/**
 * A first step at least this far away defers the lead's start (temporal/campaign-leads.ts): the
 * fan-out then writes one event per lead instead of running its first workflow task, and the
 * enrichment and scoring run when the step is due. A nearer step is not worth a deferral.
 */
export const DEFER_START_MIN_MS = 60_000;

/** `startedAt`: when the fan-out started the prospect, where the sequence's clock begins. */
export function prospectLeadInput(campaignId: string, spec: CampaignSpec, p: ProspectFields, startedAt: number): LeadInput {
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
    sequenceStartedAt: startedAt,
  };
}

/** How long the lead's start may be deferred: until its first step is due, or 0 (start now). */
export function startDelayFor(input: LeadInput, now: number, minMs = DEFER_START_MIN_MS): number {
  const first: unknown = input.sequence?.[0]?.delay; // ms: prospectLeadInput writes numbers
  if (typeof first !== 'number') return 0;
  const ms = (input.sequenceStartedAt ?? now) + first - now;
  return ms >= minMs ? ms : 0;
}

/** A started prospect's input as the fan-out built it (the clock from its started_at): for a signal-with-start. */
export const startedProspectInput = (campaignId: string, spec: CampaignSpec, p: ProspectFields): LeadInput =>
  prospectLeadInput(campaignId, spec, p, p.started_at?.getTime() ?? Date.now());
