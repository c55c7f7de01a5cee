// What each provider or inbox event means for a lead: a reply, hard bounce, complaint or
// unsubscribe ends the sequence (the last three suppress the address for good); a soft bounce or
// a block schedules the same step again later; delivered/opened/clicked only go on the timeline.
import { log } from '@temporalio/workflow';
import { suppressAddress } from './activities.js';
import { record } from './journal.js';
import type { FinalLeadStatus, LeadArrival, LeadCarry, LeadEvent } from './contract.js';
import type { LeadRunState } from './run-state.js';
import { reportToInbox } from './slot-step.js';
import { durationMs, MAX_SOFT_RESENDS, SOFT_BOUNCE_RETRY, SOFT_BOUNCE_RETRY_INBOX } from './sequence.js';

const CONVERSATION_KEEP = 20;
const DAY_MS = 86_400_000;
const DEFAULT_OOO_MS = 7 * DAY_MS;
const HOUR_MS = 3_600_000;
const TEXT_KEEP = 4000;

export function remember(c: LeadCarry, from: 'lead' | 'us', text: string): void {
  c.conversation.push({ from, text: text.slice(0, TEXT_KEEP) });
  if (c.conversation.length > CONVERSATION_KEEP) c.conversation.splice(0, c.conversation.length - CONVERSATION_KEEP);
}

function recordArrival(st: LeadRunState, arrival: LeadArrival): Promise<unknown> | undefined {
  st.note('arrival', { arrivalId: arrival.arrivalId });
  return record(st, { leadId: st.leadId, eventKey: `arrival:${arrival.arrivalId}`, type: 'arrival', detail: { ...arrival } });
}

/** Records what arrived: gathered at once by a lean run, written one by one by an older run (awaited like `record`'s). */
export function recordArrivals(st: LeadRunState): Promise<void> | undefined {
  const arrivals = st.pendingArrivals.splice(0);
  if (st.lean) {
    for (const arrival of arrivals) void recordArrival(st, arrival);
    return undefined;
  }
  return (async () => {
    for (const arrival of arrivals) await recordArrival(st, arrival);
  })();
}

function addressFor(c: LeadCarry, channel: 'email' | 'sms'): string | null {
  return channel === 'email' ? (c.enrichment.email?.address ?? c.contact.email) : (c.enrichment.phone?.e164 ?? c.contact.phone);
}

async function suppress(
  st: LeadRunState,
  c: LeadCarry,
  channel: 'email' | 'sms',
  reason: 'hard_bounce' | 'complaint' | 'unsubscribe',
  eventId: string,
): Promise<void> {
  const address = addressFor(c, channel);
  if (address === null) return;
  await suppressAddress({ leadId: st.leadId, address, channel, reason, eventId });
}

/** One event; returns the final status it leads to, if any. */
async function handle(st: LeadRunState, c: LeadCarry, e: LeadEvent): Promise<FinalLeadStatus | null> {
  const leadId = st.leadId;
  const note = (type: string, detail: Record<string, unknown>) => record(st, { leadId, eventKey: `${type}:${e.event.eventId}`, type, detail });
  switch (e.type) {
    case 'reply': {
      const intent = e.event.intent ?? null;
      remember(c, 'lead', e.event.text);
      st.note('reply', { channel: e.event.channel, intent });
      await note('reply', { channel: e.event.channel, receivedAt: e.event.receivedAt, text: e.event.text.slice(0, TEXT_KEEP), intent });
      // What the reply says decides the end: a polite no or a wrong person stops the lead, an opt-out
      // also suppresses the address; anything else goes to a person as a reply.
      if (intent === 'unsubscribe') {
        await suppress(st, c, e.event.channel, 'unsubscribe', e.event.eventId);
        return 'unsubscribed';
      }
      if (intent === 'not_interested' || intent === 'wrong_person') {
        st.stop ??= { reason: `reply: ${intent.replace('_', ' ')}`, by: 'lead' };
        return 'stopped';
      }
      return 'replied';
    }
    case 'autoReply': {
      // Out of the office: hold every send until the day after the return date (or a week).
      const back = e.event.returnDate !== null ? Date.parse(`${e.event.returnDate}T00:00:00Z`) + DAY_MS : NaN;
      c.oooUntil = Number.isFinite(back) && back > Date.now() ? back : Date.now() + DEFAULT_OOO_MS;
      st.note('auto_reply', { returnDate: e.event.returnDate, until: new Date(c.oooUntil).toISOString() });
      await note('auto_reply', { returnDate: e.event.returnDate, until: new Date(c.oooUntil).toISOString() });
      return null;
    }
    case 'complaint':
      st.note('complaint', { step: e.event.step ?? null });
      await note('complaint', { step: e.event.step ?? null });
      await suppress(st, c, 'email', 'complaint', e.event.eventId);
      return 'complained';
    case 'unsubscribe': {
      const channel = e.event.channel ?? c.channel ?? 'email';
      st.note('unsubscribe', { via: e.event.via, channel });
      await note('unsubscribe', { via: e.event.via, channel });
      await suppress(st, c, channel, 'unsubscribe', e.event.eventId);
      return 'unsubscribed';
    }
    case 'engagement':
      st.note(e.event.kind, { step: e.event.step ?? null });
      await note(e.event.kind, { step: e.event.step ?? null });
      return null;
    case 'bounce': {
      const channel = e.event.channel ?? c.channel ?? 'email';
      const { kind, reason } = e.event;
      st.note('bounce', { kind, step: e.event.step ?? null });
      await note('bounce', { kind, reason, channel, step: e.event.step ?? null });
      if (kind === 'hard') {
        await suppress(st, c, channel, 'hard_bounce', e.event.eventId);
        return 'bounced';
      }
      // soft (mailbox full, greylisted) or block (the receiver refused our server): the address
      // may be fine, so the same step goes again later; repeated failures end the sequence.
      const step = e.event.step ?? Math.max(c.stepsSent, 1);
      const tries = c.resends[String(step)] ?? 0;
      if (tries >= MAX_SOFT_RESENDS) {
        log.info('lead gave up after repeated soft bounces', { leadId, step });
        return 'bounced';
      }
      c.resends[String(step)] = tries + 1;
      c.pendingResend = { step, dueAt: Date.now() + softRetryMs(c, kind, channel) };
      return null;
    }
  }
}

/**
 * When a soft-bounced or blocked step goes again. A soft bounce through an inbox: after that
 * inbox's softBounceRetryHours, as its slot answer said (answers recorded before they carried it:
 * the runbook's 24 hours, so old histories replay unchanged). A block: 24 hours, the inbox's own
 * pause for a block. Without an inbox (runs from before inboxes): 4 hours.
 */
function softRetryMs(c: LeadCarry, kind: 'soft' | 'block', channel: 'email' | 'sms'): number {
  if (c.inboxIds === undefined) return durationMs(SOFT_BOUNCE_RETRY, 'soft bounce retry');
  const hours = kind === 'soft' ? c.softBounceRetryHours?.[channel] : undefined;
  return hours !== undefined ? hours * HOUR_MS : durationMs(SOFT_BOUNCE_RETRY_INBOX, 'soft bounce retry');
}

/** Handles every queued event in arrival order; the first final status wins, later events still count. */
export async function handleEvents(st: LeadRunState, c: LeadCarry): Promise<FinalLeadStatus | null> {
  let final: FinalLeadStatus | null = null;
  while (st.events.length > 0) {
    const e = st.events.shift();
    if (e === undefined) break;
    await reportToInbox(c, e);
    const outcome = await handle(st, c, e);
    final ??= outcome;
  }
  return final;
}
