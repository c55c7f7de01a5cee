// The lead's side of sending governance: before a message goes out the lead holds a slot from an
// inbox (its campaign's or dealer's set, else the channel's implicit inbox), chosen with the first
// message on a channel and kept for the follow-ups. The inbox answers at once with a time; the lead
// sleeps until then in the main loop. A slot not used (a failed send, the emergency stop, the
// inbox's last guard) goes back to the inbox. Runs recorded before inboxes existed replay without
// any of it (INBOX_SLOTS_PATCH).
import type { InboxEventKind } from '../inbox/contract.js';
import { noteInboxEvent, releaseSendSlot, reserveSendSlot } from './activities.js';
import type { HeldSlot, LeadCarry, LeadEvent, LeadInput } from './contract.js';
import type { LeadRunState } from './run-state.js';
import { noteInbox } from './journal.js';
import { hasPatch } from './version.js';

export const INBOX_SLOTS_PATCH = 'lead-inbox-slots-v1';

export type Held = { kind: 'go'; slot: HeldSlot } | { kind: 'wait'; until: number; reason: string | null };

/** The slot for send `key` on `channel`: held already, granted now, or a reason to wait. */
export async function holdSlot(input: LeadInput, st: LeadRunState, c: LeadCarry, key: string, channel: 'email' | 'sms'): Promise<Held> {
  const held = c.slot ?? null;
  if (held !== null && held.key !== key) await giveBack(c, 'the lead moved on to another message');
  if (c.slot == null) {
    const answer = await reserveSendSlot({
      leadId: st.leadId,
      key,
      channel,
      inboxId: c.inboxIds?.[channel] ?? null,
      candidates: input.inboxes ?? null,
      recipientTimeZone: input.recipientTimeZone ?? null,
    });
    if (answer.kind === 'wait') return { kind: 'wait', until: answer.retryAt, reason: answer.reason };
    if (c.inboxIds?.[channel] !== answer.inboxId) {
      c.inboxIds = { ...c.inboxIds, [channel]: answer.inboxId };
      st.setInbox(answer.inboxId);
      st.note('inbox', { channel, inboxId: answer.inboxId });
    }
    // Kept beside the slot: a soft bounce arrives after the send, when the slot is gone.
    if (answer.softBounceRetryHours !== undefined) c.softBounceRetryHours = { ...c.softBounceRetryHours, [channel]: answer.softBounceRetryHours };
    c.slot = { key, slotId: answer.slotId, inboxId: answer.inboxId, sendAt: answer.sendAt };
  }
  const slot = c.slot;
  return Date.now() >= slot.sendAt ? { kind: 'go', slot } : { kind: 'wait', until: slot.sendAt, reason: null };
}

/** Gives the held slot back (the send failed or was refused); the next attempt asks anew. */
export async function giveBack(c: LeadCarry, reason: string): Promise<void> {
  const slot = c.slot;
  if (slot == null) return;
  c.slot = null;
  await releaseSendSlot({ inboxId: slot.inboxId, key: slot.key, reason });
}

/** The slot was used: the inbox counts the send (its health's denominator). Awaited like `record`'s (journal.ts). */
export function slotUsed(st: LeadRunState, c: LeadCarry): Promise<unknown> | undefined {
  const slot = c.slot;
  if (slot == null) return undefined;
  c.slot = null;
  return noteInbox(st, { inboxId: slot.inboxId, event: { eventId: `sent:${slot.key}`, kind: 'sent', key: slot.key } });
}

/** What a provider or mailbox event means for the health of the inbox that sent to this lead. */
function inboxEventKind(e: LeadEvent): InboxEventKind | null {
  if (e.type === 'reply') return 'reply';
  if (e.type === 'complaint') return 'complaint';
  if (e.type === 'bounce') return e.event.kind === 'hard' ? 'hard_bounce' : e.event.kind === 'block' ? 'block_bounce' : 'soft_bounce';
  return null;
}

/** Tells the lead's inbox about a reply, bounce or complaint (runs from before inboxes: nothing). */
export async function reportToInbox(c: LeadCarry, e: LeadEvent): Promise<void> {
  const kind = inboxEventKind(e);
  if (kind === null) return;
  const channel: 'email' | 'sms' = e.type === 'reply' || e.type === 'bounce' ? (e.event.channel ?? c.channel ?? 'email') : 'email';
  const inboxId = c.inboxIds?.[channel];
  if (inboxId === undefined || !hasPatch(INBOX_SLOTS_PATCH)) return;
  await noteInboxEvent({ inboxId, event: { eventId: e.event.eventId, kind, detail: e.type === 'bounce' ? e.event.reason : null } });
}
