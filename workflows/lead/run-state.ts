// The live state of one lead workflow run and every signal/query handler on it. Handlers only
// record what arrived (queues, flags, a wake counter); the main loop in pipeline.ts decides what
// it means, so each decision happens in one place and in workflow order.
import { setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import type { SearchAttributePair } from '@temporalio/common';
import { InboxIdKey, LeadStatusKey, LeadTierKey } from '../search-attributes.js';
import { foldsPatches, upsertLeadAttributes } from './version.js';
import type { Tier } from '../../domain/lead/scoring-types.js';
import type { JournalEntry } from '../../activities/leads/journal.js';
import type { InboxEvent } from '../inbox/contract.js';
import {
  arrivedSignal,
  autoReplySignal,
  bouncedSignal,
  clickedSignal,
  complainedSignal,
  deliveredSignal,
  openedSignal,
  pauseSignal,
  replyReceivedSignal,
  resumeSignal,
  retrySignal,
  stateQuery,
  stopSignal,
  unsubscribedSignal,
  type LeadArrival,
  type LeadCarry,
  type LeadEvent,
  type LeadState,
  type LeadStatus,
  type PauseRequest,
  type RetryRequest,
  type StopRequest,
  type TimelineEntry,
} from './contract.js';

const TIMELINE_KEEP = 50;
const SEEN_EVENTS_KEEP = 500;

export class LeadRunState {
  status: LeadStatus = 'received';
  stop: StopRequest | null = null;
  paused: PauseRequest | null = null;
  retry: RetryRequest | null = null;
  readonly seenArrivals: string[];
  readonly pendingArrivals: LeadArrival[] = [];
  readonly seenEvents: string[];
  readonly events: LeadEvent[] = [];
  timeline: TimelineEntry[];
  /** Bumped by every signal: waits end on a change and the loop re-evaluates. */
  wakes = 0;
  /** Set once the pipeline has a sequence state; the query reads it. */
  carry: LeadCarry | null = null;
  nextSendAt: number | null = null;
  /** Why the lead waits for a send slot, while it does. */
  slotWait: string | null = null;
  /** The lean path (journal.ts): events and inbox notes gathered until the next wait. */
  lean = false;
  readonly journal: JournalEntry[] = [];
  readonly inboxNotes: Array<{ inboxId: string; event: InboxEvent }> = [];
  /** V2: search attributes kept for the next status change or wait, by name. */
  private readonly pendingAttributes = new Map<string, SearchAttributePair>();

  constructor(
    readonly leadId: string,
    carry: LeadCarry | undefined,
  ) {
    this.seenArrivals = carry?.seenArrivals ?? [];
    this.seenEvents = carry?.seenEvents ?? [];
    this.timeline = carry?.timeline ?? [];
    this.paused = carry?.paused ?? null;
    this.carry = carry ?? null;
    this.lean = carry?.lean === true;
    if (carry !== undefined) this.status = carry.paused !== null ? 'paused' : 'waiting';
    this.install();
  }

  private install(): void {
    // Registered before any await, so nothing sent with the start (signal-with-start) is missed.
    setHandler(stopSignal, (req) => {
      this.stop ??= req;
      this.wakes++;
    });
    setHandler(arrivedSignal, (a) => {
      if (this.seenArrivals.includes(a.arrivalId)) return;
      this.seenArrivals.push(a.arrivalId);
      this.pendingArrivals.push(a);
      this.wakes++;
    });
    const event = (e: LeadEvent) => {
      if (this.seenEvents.includes(e.event.eventId)) return;
      this.seenEvents.push(e.event.eventId);
      if (this.seenEvents.length > SEEN_EVENTS_KEEP) this.seenEvents.splice(0, this.seenEvents.length - SEEN_EVENTS_KEEP);
      this.events.push(e);
      this.wakes++;
    };
    setHandler(replyReceivedSignal, (e) => event({ type: 'reply', event: e }));
    setHandler(autoReplySignal, (e) => event({ type: 'autoReply', event: e }));
    setHandler(bouncedSignal, (e) => event({ type: 'bounce', event: e }));
    setHandler(complainedSignal, (e) => event({ type: 'complaint', event: e }));
    setHandler(unsubscribedSignal, (e) => event({ type: 'unsubscribe', event: e }));
    setHandler(deliveredSignal, (e) => event({ type: 'engagement', event: { ...e, kind: 'delivered' } }));
    setHandler(openedSignal, (e) => event({ type: 'engagement', event: { ...e, kind: 'opened' } }));
    setHandler(clickedSignal, (e) => event({ type: 'engagement', event: { ...e, kind: 'clicked' } }));
    setHandler(retrySignal, (req) => {
      this.retry = req;
      this.wakes++;
    });
    setHandler(pauseSignal, (req) => {
      this.paused ??= req;
      this.wakes++;
    });
    setHandler(resumeSignal, () => {
      this.paused = null;
      this.wakes++;
    });
    setHandler(stateQuery, () => this.snapshot());
  }

  snapshot(): LeadState {
    const c = this.carry;
    return {
      leadId: this.leadId,
      status: this.status,
      arrivals: this.seenArrivals.length,
      stop: this.stop,
      ...(c !== null && {
        tier: c.score.tier,
        score: c.score.score,
        scoreReasons: c.score.reasons,
        channel: c.channel,
        stepsSent: c.stepsSent,
        nextSendAt: this.nextSendAt === null ? null : new Date(this.nextSendAt).toISOString(),
        attention: c.attention,
        paused: this.paused,
        ...(c.inboxIds !== undefined && { inboxId: c.inboxIds[c.channel ?? 'email'] ?? null }),
        ...(this.slotWait !== null && { slotWait: this.slotWait }),
        timeline: this.timeline,
      }),
    };
  }

  setStatus(next: LeadStatus): void {
    this.status = next;
    this.attribute({ key: LeadStatusKey, value: next }, true);
  }

  setTier(tier: Tier): void {
    this.attribute({ key: LeadTierKey, value: tier }, false);
  }

  setInbox(inboxId: string): void {
    this.attribute({ key: InboxIdKey, value: inboxId }, false);
  }

  /**
   * The old type upserts each attribute at once, as its histories recorded. V2 keeps the tier and
   * the inbox until the next status change or wait (both follow within the same step), and writes
   * them with it in one upsert: one history event and one visibility write instead of three.
   */
  private attribute(pair: SearchAttributePair, now: boolean): void {
    if (!foldsPatches()) {
      upsertSearchAttributes([pair]);
      return;
    }
    this.pendingAttributes.set(pair.key.name, pair);
    if (now) this.flushAttributes();
  }

  /** Writes the attributes kept back (V2); nothing for the old type, which keeps none. */
  flushAttributes(): void {
    if (this.pendingAttributes.size === 0) return;
    const pairs = [...this.pendingAttributes.values()];
    this.pendingAttributes.clear();
    upsertLeadAttributes(pairs);
  }

  /** Workflow time (deterministic), newest last, bounded: the full record is lead_events. */
  note(type: string, detail: Record<string, unknown> = {}): void {
    this.timeline.push({ at: new Date().toISOString(), type, detail });
    if (this.timeline.length > TIMELINE_KEEP) this.timeline.splice(0, this.timeline.length - TIMELINE_KEEP);
  }
}
