// The lead workflow's public contract: task queue, ID scheme, input/state types, signals and
// queries. Side-effect free, so api/ and bin/ import it without pulling in workflow code.
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { Duration } from '@temporalio/common';
import type { Enrichment } from '../../domain/enrich/types.js';
import type { Intent } from '../../domain/mail/classify/types.js';
import type { LeadContact, LeadCore } from '../../domain/lead/types.js';
import type { ScoreReason, ScoreResult, ScoringWeights, Tier } from '../../domain/lead/scoring-types.js';

export const LEAD_TASK_QUEUE = 'leadflow-leads';
/** What new leads start as (workflows/lead/version.ts). */
export const LEAD_WORKFLOW_TYPE = 'leadWorkflowV2';
/** Every lead type a run may have: visibility queries for leads name both. */
export const LEAD_WORKFLOW_TYPES = ['leadWorkflow', LEAD_WORKFLOW_TYPE] as const;
/** A visibility-query clause matching a lead of either type. */
export const LEAD_TYPE_CLAUSE = `WorkflowType IN (${LEAD_WORKFLOW_TYPES.map((t) => `"${t}"`).join(', ')})`;

/**
 * received → (enriched, scored) → sending ⇄ waiting → a final status. `waiting_for_slot`: a
 * message is due but its inbox has no slot yet (warm-up, window, pause, emergency stop). `needs_attention` and
 * `paused` are waits a person ends (retry / resume). Final: replied, bounced, complained,
 * unsubscribed, suppressed, no_response (the sequence ran out), stopped, expired.
 */
export type LeadStatus =
  | 'received'
  | 'sending'
  | 'waiting'
  | 'waiting_for_slot'
  | 'needs_attention'
  | 'paused'
  | 'replied'
  | 'bounced'
  | 'complained'
  | 'unsubscribed'
  | 'suppressed'
  | 'no_response'
  | 'stopped'
  | 'expired';
export const LEAD_STATUSES: readonly LeadStatus[] = [
  'received',
  'sending',
  'waiting',
  'waiting_for_slot',
  'needs_attention',
  'paused',
  'replied',
  'bounced',
  'complained',
  'unsubscribed',
  'suppressed',
  'no_response',
  'stopped',
  'expired',
];
export type FinalLeadStatus = Extract<LeadStatus, 'replied' | 'bounced' | 'complained' | 'unsubscribed' | 'suppressed' | 'no_response' | 'stopped' | 'expired'>;

export type { LeadContact, LeadCore } from '../../domain/lead/types.js';

export interface LeadInput extends LeadCore {
  /** How long the lead waits for a person before it expires (ms or a Temporal duration string). */
  waitFor?: Duration;
  /** The campaign's steps (delays, channels, templates); the default sequence when absent. */
  sequence?: SequenceStep[];
  /** The dealership or team name messages are signed with; `LEADFLOW_SENDER_NAME` when absent. */
  senderName?: string;
  /** Scoring weight overrides for this lead's campaign. */
  scoringWeights?: Partial<ScoringWeights>;
  /** How long the lead waits for a reply after its last step before it ends as no_response (default 7 days). */
  finalWait?: Duration;
  /** Set by continue-as-new only: where the previous run left off. Plain JSON. */
  carry?: LeadCarry;
  /** Continue-as-new once the history has this many events (default: when the server suggests it). */
  historyLimit?: number;
  /**
   * The campaign's handover settings: acknowledgement SLAs (default 15 minutes each), and the
   * score at or above which the lead goes to a salesperson at once (by default only a reply does).
   */
  handover?: { sla?: Duration; secondSla?: Duration; scoreThreshold?: number };
  /** The inboxes this lead may be sent from (a campaign's or a dealer's set); the implicit inbox of the channel when absent. */
  inboxes?: string[];
  /** The recipient's IANA time zone, when known: sending windows are applied in it. */
  recipientTimeZone?: string;
  /** When the sequence's clock starts (epoch ms): a campaign lead whose start was deferred counts its first step from the fan-out, not from its late start. */
  sequenceStartedAt?: number;
}

/** A send slot the lead holds: the inbox granted it for this send key, to be used at `sendAt`. */
export interface HeldSlot {
  key: string;
  slotId: string;
  inboxId: string;
  sendAt: number;
}

export interface SequenceStep {
  /** Wait after the previous message (the first step: after scoring). */
  delay: Duration;
  /** Defaults to the lead's best reachable channel. */
  channel?: 'email' | 'sms';
  /** The campaign's text for this step, with {firstName} {vehicle} {dealerName}: used when the AI
   *  is off, fails or writes something invalid (instead of the built-in template). */
  template?: { subject?: string | null; body: string };
  /** false: send the template verbatim without asking the AI. */
  ai?: boolean;
}

export interface StopRequest {
  reason: string;
  by: string;
}

export interface LeadArrival {
  /** Identifies this arrival so a re-delivered signal is counted once. */
  arrivalId: string;
  receivedAt: string;
}

export interface TimelineEntry {
  at: string;
  type: string;
  detail: Record<string, unknown>;
}

export interface LeadState {
  leadId: string;
  status: LeadStatus;
  arrivals: number;
  stop: StopRequest | null;
  tier?: Tier | null;
  score?: number | null;
  scoreReasons?: ScoreReason[];
  channel?: 'email' | 'sms' | null;
  /** Steps sent so far. */
  stepsSent?: number;
  /** When the next follow-up is due (ISO-8601), while waiting for one. */
  nextSendAt?: string | null;
  /** Why a person is needed, while in needs_attention. */
  attention?: string | null;
  paused?: PauseRequest | null;
  /** The inbox the lead's messages go out from (chosen with its first message). */
  inboxId?: string | null;
  /** Why the lead is waiting for a send slot, while in waiting_for_slot. */
  slotWait?: string | null;
  /** The newest entries, oldest first (the full history is the lead_events table). */
  timeline?: TimelineEntry[];
}

export interface LeadOutcome {
  leadId: string;
  status: FinalLeadStatus;
  arrivals: number;
  stepsSent?: number;
}

/** Carried across continue-as-new: everything the next run needs, nothing it can recompute. */
export interface LeadCarry {
  /** Epoch ms when the lead expires (from `waitFor`). */
  deadline: number;
  /** Epoch ms the sequence started (step 1's delay counts from here). */
  sequenceStartedAt: number;
  seenArrivals: string[];
  /** Recent provider/inbox event ids, so a re-delivered webhook is handled once. */
  seenEvents: string[];
  enrichment: Enrichment;
  score: ScoreResult;
  contact: LeadContact;
  channel: 'email' | 'sms' | null;
  stepsSent: number;
  /** Per step: how many times it was sent again (soft bounce, or a person's retry). */
  resends: Record<string, number>;
  /** A step to send again, and when (after a soft bounce). */
  pendingResend: { step: number; dueAt: number } | null;
  lastSentAt: number | null;
  attention: string | null;
  conversation: Array<{ from: 'lead' | 'us'; text: string }>;
  timeline: TimelineEntry[];
  /** Epoch ms until which sends wait because the lead is out of the office (absent in older runs). */
  oooUntil?: number | null;
  /** Status transitions so far: makes each transition's lead_events key unique. */
  transitions: number;
  paused: PauseRequest | null;
  /** Per channel, the inbox chosen with the first message on it: follow-ups stay there (same thread, same sender). */
  inboxIds?: { email?: string; sms?: string };
  /** The slot held for the next send, if any. */
  slot?: HeldSlot | null;
  /** Per channel, the soft-bounce retry of the inbox that granted the last slot (absent: the default, as in older runs). */
  softBounceRetryHours?: { email?: number; sms?: number };
  /** The run took the lean path (workflows/lead/journal.ts); absent in older runs. */
  lean?: boolean;
}

export interface PauseRequest {
  reason: string;
  by: string;
}
export interface RetryRequest {
  by: string;
  /** The corrected contact data an operator supplies with the retry (both optional). */
  email?: string | null;
  phone?: string | null;
}

/** Provider and inbox events that reach a lead; `eventId` makes re-delivery harmless. */
/** `intent` from the inbound classifier: not_interested / wrong_person stop the lead, unsubscribe suppresses. */
export interface ReplyEvent {
  eventId: string;
  channel: 'email' | 'sms';
  from: string;
  text: string;
  receivedAt: string;
  intent?: ReplyIntent;
}
export type ReplyIntent = Intent;
/** An out-of-office answer: sends wait until the return date (or a default week). */
export interface AutoReplyEvent {
  eventId: string;
  returnDate: string | null;
  receivedAt: string;
}
export type BounceKind = 'hard' | 'soft' | 'block';
export interface BounceEvent {
  eventId: string;
  kind: BounceKind;
  reason: string;
  step?: number | null;
  channel?: 'email' | 'sms';
}
export interface ComplaintEvent {
  eventId: string;
  step?: number | null;
}
export interface UnsubscribeEvent {
  eventId: string;
  via: string;
  channel?: 'email' | 'sms';
}
export interface EngagementEvent {
  eventId: string;
  kind: 'delivered' | 'opened' | 'clicked';
  step?: number | null;
}

export type LeadEvent =
  | { type: 'reply'; event: ReplyEvent }
  | { type: 'autoReply'; event: AutoReplyEvent }
  | { type: 'bounce'; event: BounceEvent }
  | { type: 'complaint'; event: ComplaintEvent }
  | { type: 'unsubscribe'; event: UnsubscribeEvent }
  | { type: 'engagement'; event: EngagementEvent };

export const stopSignal = defineSignal<[StopRequest]>('stop');
/** Every arrival of the lead (the first one too) is signalled, so duplicates land on one workflow. */
export const arrivedSignal = defineSignal<[LeadArrival]>('arrived');
export const stateQuery = defineQuery<LeadState>('state');
export const replyReceivedSignal = defineSignal<[ReplyEvent]>('replyReceived');
export const autoReplySignal = defineSignal<[AutoReplyEvent]>('autoReply');
export const bouncedSignal = defineSignal<[BounceEvent]>('bounced');
export const complainedSignal = defineSignal<[ComplaintEvent]>('complained');
export const unsubscribedSignal = defineSignal<[UnsubscribeEvent]>('unsubscribed');
export const deliveredSignal = defineSignal<[EngagementEvent]>('delivered');
export const openedSignal = defineSignal<[EngagementEvent]>('opened');
export const clickedSignal = defineSignal<[EngagementEvent]>('clicked');
/** Resumes a lead in needs_attention, optionally with corrected contact data. */
export const retrySignal = defineSignal<[RetryRequest]>('retry');
export const pauseSignal = defineSignal<[PauseRequest]>('pause');
export const resumeSignal = defineSignal<[{ by: string }]>('resume');

/** The idempotency key of one outbound message: the lead, the step, and which resend of it. */
export function sendKey(leadId: string, step: number, resend: number): string {
  return resend === 0 ? `${leadId}:step:${step}` : `${leadId}:step:${step}:resend:${resend}`;
}

/**
 * A stable key for a lead: the source's prospect id when there is one, else a normalised contact
 * (e-mail lower-cased, or phone digits). The same person from the same source always maps to the
 * same workflow ID, which is what makes duplicate arrivals merge instead of forking.
 */
export function leadKey(input: Pick<LeadInput, 'source' | 'externalId' | 'contact' | 'campaignId'>): string {
  const norm = (s: string) => s.trim().toLowerCase().replace(/\s+/g, ' ');
  const scope = input.campaignId !== null ? `campaign:${norm(input.campaignId)}` : norm(input.source);
  if (input.externalId !== null && input.externalId.trim() !== '') return `${scope}:id:${norm(input.externalId)}`;
  if (input.contact.email !== null && input.contact.email.trim() !== '') return `${scope}:email:${norm(input.contact.email)}`;
  const digits = input.contact.phone?.replace(/[^\d+]/g, '') ?? '';
  if (digits !== '') return `${scope}:phone:${digits}`;
  throw new Error('a lead needs an external id, an e-mail address or a phone number to be identified');
}

const PREFIX = 'lead:';
export const leadWorkflowId = (key: string): string => `${PREFIX}${key}`;
export function leadKeyFromWorkflowId(workflowId: string): string | null {
  return workflowId.startsWith(PREFIX) ? workflowId.slice(PREFIX.length) : null;
}
