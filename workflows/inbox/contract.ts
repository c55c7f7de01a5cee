// The inbox workflow's public contract: one workflow per sending identity (an SMTP/IMAP mailbox,
// a SendGrid sender or an SMS number) that hands out send slots under its warm-up ramp, daily cap,
// minimum gap, sending window and health. Side-effect free: api/, activities/ and the workflow
// itself import it.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { LEAD_TASK_QUEUE } from '../lead/contract.js';

export const INBOX_WORKFLOW_TYPE = 'inboxWorkflow';
export const inboxWorkflowId = (inboxId: string): string => `inbox:${inboxId}`;

/**
 * The inbox entity's key on a task queue: the inbox id on the product's lead queue, and
 * `<id>@<queue>` on any other. An inbox's workflow runs beside the leads that ask it, so a worker
 * on its own queue (each test has one) gets its own entity and its own saved figures.
 */
export const inboxEntityKey = (inboxId: string, taskQueue?: string): string =>
  taskQueue === undefined || taskQueue === LEAD_TASK_QUEUE ? inboxId : `${inboxId}@${taskQueue}`;

export type InboxKind = 'smtp' | 'sendgrid' | 'sms';
export type InboxChannel = 'email' | 'sms';
export const inboxChannel = (kind: InboxKind): InboxChannel => (kind === 'sms' ? 'sms' : 'email');

/** Days and hours a message may go out. Hours are [startHour, endHour) in `timeZone` (or the recipient's). */
export interface SendWindow {
  /** 0 = Sunday … 6 = Saturday. */
  days: number[];
  startHour: number;
  endHour: number;
  /** IANA zone of the inbox (the default when the recipient's zone is unknown). */
  timeZone: string;
  /** Dates (YYYY-MM-DD, in the window's zone) on which nothing goes out. */
  holidays: string[];
  /** Use the recipient's time zone when the lead has one (default true). */
  recipientTimeZone: boolean;
}

export interface InboxPolicy {
  /**
   * Daily limit per warm-up week: entry 0 is week 1, the last entry holds from then on. Empty: no
   * ramp (a transactional inbox answering inbound leads: speed-to-lead is never throttled).
   */
  ramp: number[];
  /** The operator's cap per day, on top of the ramp. */
  dailyCap: number;
  /** Minimum spacing between two sends of this inbox, plus up to `jitterSeconds` at random. */
  minGapSeconds: number;
  jitterSeconds: number;
  /** null: any day, any hour. */
  window: SendWindow | null;
  /** Health is computed over this many days (since the last resume, if later). */
  healthWindowDays: number;
  /** Rates are judged only once this many messages went out in the window. */
  healthMinSample: number;
  /** A soft bounce is tried again after this many hours (the runbook's 24). */
  softBounceRetryHours: number;
}

/** The operators' runbook: week 1 → 5/day, 2 → 10, 3 → 15, 4 → 20, 5+ → 25 rising to 40. */
export const RUNBOOK_RAMP: readonly number[] = [5, 10, 15, 20, 25, 30, 35, 40];

export const DEFAULT_POLICY: InboxPolicy = {
  ramp: [...RUNBOOK_RAMP],
  dailyCap: 40,
  // "space sends 5–15 minutes apart in business hours"
  minGapSeconds: 300,
  jitterSeconds: 600,
  window: { days: [1, 2, 3, 4, 5], startHour: 9, endHour: 17, timeZone: 'UTC', holidays: [], recipientTimeZone: true },
  healthWindowDays: 30,
  healthMinSample: 20,
  softBounceRetryHours: 24,
};

/** The implicit inbox of the single-sender environment variables: no ramp, no window, no gap. */
export const TRANSACTIONAL_POLICY: InboxPolicy = {
  ...DEFAULT_POLICY,
  ramp: [],
  dailyCap: 100_000,
  minGapSeconds: 0,
  jitterSeconds: 0,
  window: null,
};

export interface InboxPause {
  /** epoch ms; null = until an operator resumes. */
  until: number | null;
  reason: string;
  by: string;
  at: number;
  kind: 'operator' | 'health' | 'bounce_rate' | 'block';
}

export interface InboxWorkflowInput {
  inboxId: string;
  policy: InboxPolicy;
  /** When the inbox started sending (epoch ms): day 0 of the warm-up ramp and of its age. */
  createdAt: number;
  carry?: InboxCarry;
  /** Continue-as-new after this many history events (tests); default 2,000 (workflows/inbox/workflow.ts), or the server's suggestion if sooner. */
  historyLimit?: number;
}

/** A request for a slot: one per lead + step (+ resend); a repeat gets the same answer. */
export interface SlotRequest {
  key: string;
  leadId: string;
  /** The recipient's IANA zone when known: the window is applied in it. */
  recipientTimeZone?: string | null;
}

export type SlotAnswer =
  | {
      kind: 'granted';
      slotId: string;
      inboxId: string;
      sendAt: number;
      /**
       * The inbox's soft-bounce retry (its policy), for the lead to keep: a bounce comes back after
       * the send, when the slot is gone. Absent in answers recorded before it was sent along (old
       * histories replay with the lead's default).
       */
      softBounceRetryHours?: number;
    }
  /** Nothing can be granted now (paused, window never opens): ask again at `retryAt`. */
  | { kind: 'wait'; inboxId: string; reason: string; retryAt: number };

export type InboxEventKind = 'sent' | 'hard_bounce' | 'soft_bounce' | 'block_bounce' | 'complaint' | 'reply';
export interface InboxEvent {
  /** Makes re-delivery harmless (a provider event id, or the slot id for `sent`). */
  eventId: string;
  kind: InboxEventKind;
  /** The slot (reservation key) the event belongs to, when known. */
  key?: string | null;
  detail?: string | null;
}

export interface DayStats {
  granted: number;
  sent: number;
  hardBounces: number;
  softBounces: number;
  blocks: number;
  complaints: number;
  replies: number;
}

export interface Reservation {
  slotId: string;
  leadId: string;
  sendAt: number;
  day: string;
  sent: boolean;
}

export interface InboxCarry {
  reservations: Record<string, Reservation>;
  days: Record<string, DayStats>;
  seenEvents: string[];
  pause: InboxPause | null;
  lastSlotAt: number | null;
  /** Health counts only what happened after the last resume: the day of it, and that day's counts at the time. */
  resumedFrom: { day: string; base: DayStats } | null;
  slotSeq: number;
  warnings: string[];
}

/** A new inbox's state: nothing reserved, nothing counted, not paused. */
export const emptyCarry = (): InboxCarry => ({
  reservations: {},
  days: {},
  seenEvents: [],
  pause: null,
  lastSlotAt: null,
  resumedFrom: null,
  slotSeq: 0,
  warnings: [],
});

export interface HealthInputs {
  sent: number;
  bounces: number;
  complaints: number;
  replies: number;
  bounceRate: number;
  complaintRate: number;
  replyRate: number;
  ageDays: number;
}

export interface InboxHealth {
  score: number;
  inputs: HealthInputs;
  /** Component points: bounce (40), complaint (30), reply (20), age (10). */
  parts: { bounce: number; complaint: number; reply: number; age: number };
}

export interface InboxStatus {
  inboxId: string;
  health: InboxHealth;
  /** 1-based day of the warm-up ramp. */
  rampDay: number;
  today: string;
  /** epoch ms of the start of `today` in the inbox's zone: the send guard counts sends from here. */
  dayStartedAt: number;
  dailyLimit: number;
  grantedToday: number;
  sentToday: number;
  remainingToday: number;
  pause: InboxPause | null;
  warnings: string[];
  policy: InboxPolicy;
}

export const reserveSlotUpdate = defineUpdate<SlotAnswer, [SlotRequest]>('reserveSlot');
/**
 * Many leads' requests in one update (what the slot activities sent before inboxOps; still answered
 * for a worker of the older build during a rolling upgrade), answered in order, each exactly as reserveSlot would answer
 * it (a repeated key gets its held slot). One update, one workflow task and a few history events
 * for the lot: a worker's leads asking one inbox at once no longer queue for one update each.
 */
export const reserveSlotsUpdate = defineUpdate<SlotAnswer[], [SlotRequest[]]>('reserveSlots');
/** The most requests one reserveSlots update carries. */
export const MAX_RESERVE_BATCH = 50;
/**
 * Everything a worker's slot activities tell one inbox, together in one update: slot requests,
 * slots given back and what happened to messages, applied in order (answers: the slot answer for a
 * `reserve`, null for the others). Notes travel as an update rather than as signals because a
 * signal that lands while the inbox's continue-as-new task runs fails that task
 * (UNHANDLED_COMMAND: the server keeps a run open while it has buffered signals), and the worker
 * replays the whole run before it tries again; an update that lands then is refused with a
 * retryable error, the client asks again, and it reaches the successor. Every op is idempotent
 * (a held key gets its slot, a release of a sent or unknown slot is a no-op, an event id is
 * counted once), so a batch retried after a lost answer changes nothing twice. The send activity
 * tells of a send this way, not the lead's journal: a local activity must not wait for the inbox's
 * workflow task (activities/leads/journal.ts).
 */
export type InboxOp = { op: 'reserve'; req: SlotRequest } | { op: 'release'; key: string; reason: string } | { op: 'event'; event: InboxEvent };
export type InboxOpAnswer = SlotAnswer | null;
export const inboxOpsUpdate = defineUpdate<InboxOpAnswer[], [InboxOp[]]>('inboxOps');
/** The most ops one inboxOps update carries (as many as a reserveSlots batch). */
export const MAX_INBOX_OPS = MAX_RESERVE_BATCH;
export const INBOX_EVENT_KINDS: readonly InboxEventKind[] = ['sent', 'hard_bounce', 'soft_bounce', 'block_bounce', 'complaint', 'reply'];

/** A send that failed (or was refused by the last guard) gives its slot back. */
export const releaseSlotSignal = defineSignal<[{ key: string; reason: string }]>('releaseSlot');
export const inboxEventSignal = defineSignal<[InboxEvent]>('inboxEvent');
export const pauseInboxSignal = defineSignal<[{ by: string; reason: string; until?: number | null }]>('pauseInbox');
export const resumeInboxSignal = defineSignal<[{ by: string }]>('resumeInbox');
export const updatePolicyUpdate = defineUpdate<InboxStatus, [InboxPolicy]>('updatePolicy');
export const inboxStatusQuery = defineQuery<InboxStatus>('inboxStatus');
