// Provider events → lead workflow signals. The mapping is pure (unit-tested against the
// providers' documented event shapes); delivery signals the lead's workflow and treats a lead
// that has already finished as done, not as an error the provider should retry (temporal/lead-signals.ts).
import { ruleIntent } from '../../domain/mail/classify/intent.js';
import type { LeadSignal } from '../../temporal/lead-signals.js';
import type { BounceKind } from '../../workflows/lead/contract.js';

export { signalLead, type LeadSignal } from '../../temporal/lead-signals.js';

const stepOf = (v: unknown): number | null => {
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
  return Number.isInteger(n) && n > 0 ? n : null;
};
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/**
 * SendGrid's bounce_classification separates a bad address (hard) from a full mailbox or a
 * technical failure (soft) and from the receiver refusing us (block: reputation or content).
 */
function sendGridBounceKind(e: Record<string, unknown>): BounceKind {
  if (e.type === 'blocked') return 'block';
  const c = str(e.bounce_classification).toLowerCase();
  if (c === 'reputation' || c === 'content') return 'block';
  if (c === 'mailbox unavailable' || c === 'technical' || c === 'frequency or volume too high') return 'soft';
  return 'hard';
}

/** One SendGrid Event Webhook event; null for events that mean nothing to the lead (processed, deferred). */
export function sendGridLeadSignal(e: Record<string, unknown>): LeadSignal | null {
  const eventId = `sendgrid:${str(e.sg_event_id)}`;
  const step = stepOf(e.step);
  switch (e.event) {
    case 'delivered':
      return { signal: 'delivered', args: { eventId, kind: 'delivered', step } };
    case 'open':
      return { signal: 'opened', args: { eventId, kind: 'opened', step } };
    case 'click':
      return { signal: 'clicked', args: { eventId, kind: 'clicked', step } };
    case 'spamreport':
      return { signal: 'complained', args: { eventId, step } };
    case 'unsubscribe':
    case 'group_unsubscribe':
      return { signal: 'unsubscribed', args: { eventId, via: `sendgrid:${e.event}`, channel: 'email' } };
    case 'bounce':
      return { signal: 'bounced', args: { eventId, kind: sendGridBounceKind(e), reason: str(e.reason) || str(e.status), step, channel: 'email' } };
    case 'dropped': {
      // SendGrid refused to send: to an address it already knows bounced, complained or unsubscribed.
      const reason = str(e.reason);
      if (/unsubscribed/i.test(reason)) return { signal: 'unsubscribed', args: { eventId, via: 'sendgrid:dropped', channel: 'email' } };
      if (/spam report/i.test(reason)) return { signal: 'complained', args: { eventId, step } };
      return { signal: 'bounced', args: { eventId, kind: 'hard', reason: `dropped: ${reason}`, step, channel: 'email' } };
    }
    default:
      return null;
  }
}

// Twilio error codes (https://www.twilio.com/docs/api/errors): the number cannot receive SMS at
// all, the recipient opted out (STOP), the carrier filtered us, or a passing failure.
const TWILIO_HARD = new Set(['21211', '21614', '30005', '30006']);
const TWILIO_OPTED_OUT = new Set(['21610']);
const TWILIO_BLOCK = new Set(['30007']);

/** One Twilio status callback. */
export function twilioStatusLeadSignal(p: Record<string, string>, query: Record<string, string | undefined>): LeadSignal | null {
  const eventId = `twilio:${p.MessageSid}:${p.MessageStatus}`;
  const step = stepOf(query.step);
  if (p.MessageStatus === 'delivered') return { signal: 'delivered', args: { eventId, kind: 'delivered', step } };
  if (p.MessageStatus !== 'undelivered' && p.MessageStatus !== 'failed') return null;
  const code = p.ErrorCode ?? '';
  if (TWILIO_OPTED_OUT.has(code)) return { signal: 'unsubscribed', args: { eventId, via: 'twilio:opted-out', channel: 'sms' } };
  const kind: BounceKind = TWILIO_HARD.has(code) ? 'hard' : TWILIO_BLOCK.has(code) ? 'block' : 'soft';
  return { signal: 'bounced', args: { eventId, kind, reason: `twilio ${p.MessageStatus}${code === '' ? '' : ` (error ${code})`}`, step, channel: 'sms' } };
}

// The opt-out keywords carriers and Twilio honour (Twilio Advanced Opt-Out defaults).
const STOP_WORDS = new Set(['stop', 'stopall', 'unsubscribe', 'cancel', 'end', 'quit', 'optout', 'revoke']);

/** An inbound SMS to a lead's conversation: an opt-out keyword, or a reply. */
export function twilioInboundLeadSignal(p: Record<string, string>, receivedAt: string): LeadSignal {
  const eventId = `twilio:${p.MessageSid}`;
  const body = p.Body ?? '';
  if (STOP_WORDS.has(body.trim().toLowerCase())) return { signal: 'unsubscribed', args: { eventId, via: 'sms:stop', channel: 'sms' } };
  return { signal: 'replyReceived', args: { eventId, channel: 'sms', from: p.From ?? '', text: body, receivedAt, intent: ruleIntent(body) } };
}
