// The campaign workflow's public contract: ID scheme, input, carry, signals and the state query.
// Side-effect free, so api/ and bin/ import it without pulling in workflow code.
import { defineQuery, defineSignal } from '@temporalio/workflow';

export const CAMPAIGN_WORKFLOW_TYPE = 'campaignWorkflow';
export const campaignWorkflowId = (campaignId: string): string => `campaign:${campaignId}`;

/** Running totals, counted from the database (never from signals: 10,000 leads must not write into one history). */
export interface CampaignTotals {
  /** Prospects accepted by imports. */
  imported: number;
  /** Prospects whose lead workflow exists. */
  started: number;
  /** Not started on purpose (active in another campaign, cancelled before their turn). */
  skipped: number;
  /** Accepted, not started yet. */
  pending: number;
  /** Started leads not finished: sending, waiting, waiting for a slot, needing attention or paused. */
  sending: number;
  replied: number;
  bounced: number;
  unsubscribed: number;
  handedOver: number;
  /** Started leads in a final status (replied, bounced, complained, unsubscribed, suppressed, no_response, stopped, expired). */
  finished: number;
}

export type CampaignPhase = 'fanout' | 'monitor' | 'cancelling' | 'done';

export interface CampaignCarry {
  phase: CampaignPhase;
  /** The last prospect `seq` whose page completed: the fan-out resumes after it. */
  cursor: string;
  paused: boolean;
  cancel: { by: string; reason: string | null } | null;
  totals: CampaignTotals | null;
  pages: number;
  /** Where the cancel sweep is: the last lead ID stopped. */
  cancelCursor: string;
}

export interface CampaignWorkflowInput {
  campaignId: string;
  /** Prospects started per activity (default 200). */
  pageSize?: number;
  /** Continue-as-new after this many pages or polls in one run (default 25). */
  stepsPerRun?: number;
  /** How often totals are recounted while leads run (default 1 minute). */
  pollMs?: number;
  /** Set by continue-as-new only. */
  carry?: CampaignCarry;
}

export interface CampaignRunState {
  campaignId: string;
  phase: CampaignPhase;
  paused: boolean;
  cancelRequested: boolean;
  cursor: string;
  pages: number;
  totals: CampaignTotals | null;
  /** Why the fan-out waits (paused, daily cap until …), when it does. */
  waiting: string | null;
}

/** The API changed the campaign's status in the database (the gate every send reads); these tell the workflow. */
export const campaignPauseSignal = defineSignal<[{ by: string }]>('pause');
export const campaignResumeSignal = defineSignal<[{ by: string }]>('resume');
export const campaignCancelSignal = defineSignal<[{ by: string; reason: string | null }]>('cancel');
/** An import added prospects: fan them out (the workflow may be counting finished leads). */
export const prospectsAddedSignal = defineSignal<[{ importId: string }]>('prospectsAdded');
export const campaignStateQuery = defineQuery<CampaignRunState>('state');

export const emptyTotals = (): CampaignTotals => ({
  imported: 0,
  started: 0,
  skipped: 0,
  pending: 0,
  sending: 0,
  replied: 0,
  bounced: 0,
  unsubscribed: 0,
  handedOver: 0,
  finished: 0,
});
