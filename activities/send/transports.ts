// One face for every way a message leaves: the ledger calls `send` and gets the provider's id or
// one of the classified errors (PermanentSendError / TransientSendError) the adapters throw.
import { messageIdDomain } from '../../domain/ids/index.js';
import type { SendGridSender } from '../sendgrid/sender.js';
import type { SmtpSender } from '../mail/smtp-send.js';
import type { TwilioSender } from '../twilio/sender.js';
import { deterministicMessageId } from '../../domain/ids/index.js';

export interface OutboundMessage {
  /** Made by the workflow from lead + step: the same message always carries the same key. */
  idempotencyKey: string;
  leadId: string;
  step: number;
  channel: 'email' | 'sms';
  to: string;
  subject: string | null;
  text: string;
  html?: string;
  /** E-mail only: List-Unsubscribe, List-Unsubscribe-Post and the like. */
  headers?: Record<string, string>;
  /** E-mail only: where replies go (a plus-address carrying the message's token, when configured). */
  replyTo?: string;
  /** To our own people (handover, escalation): no unsubscribe footer, no suppression check. */
  internal?: boolean;
  /** The registry inbox that sends it (activities/send/inbox-transports.ts); absent: the channel's configured transport. */
  inboxId?: string;
  /** A campaign message: its campaign and the step's A/B variant, kept on the outbox row for the funnel. */
  campaignId?: string;
  variant?: string;
}

export interface Transport {
  provider: 'sendgrid' | 'smtp' | 'twilio' | 'local';
  send(msg: OutboundMessage): Promise<{ providerMessageId: string | null }>;
  /** E-mail: the right-hand side of the Message-IDs it sends, when not the configured sender's (an inbox's own domain). */
  messageIdDomain?: string;
}

export function sendGridTransport(sender: SendGridSender, from: string): Transport {
  const domain = messageIdDomain(from);
  return {
    provider: 'sendgrid',
    send: (m) =>
      sender.send({
        to: m.to,
        from,
        subject: m.subject ?? '',
        text: m.text,
        ...(m.html !== undefined ? { html: m.html } : {}),
        ...(m.replyTo !== undefined && { replyTo: m.replyTo }),
        // The same Message-ID the SMTP path sets (and the ledger stores), so replies find their lead.
        headers: { ...m.headers, 'Message-ID': deterministicMessageId(m.idempotencyKey, domain) },
        customArgs: { lead_id: m.leadId, step: String(m.step) },
        idempotencyKey: m.idempotencyKey,
      }),
  };
}

export function smtpTransport(sender: SmtpSender, from: string): Transport {
  return {
    provider: 'smtp',
    send: async (m) => {
      const r = await sender.send({
        to: m.to,
        from,
        subject: m.subject ?? '',
        text: m.text,
        ...(m.html !== undefined ? { html: m.html } : {}),
        ...(m.replyTo !== undefined && { replyTo: m.replyTo }),
        headers: m.headers ?? {},
        idempotencyKey: m.idempotencyKey,
      });
      return { providerMessageId: r.providerMessageId };
    },
  };
}

export function twilioTransport(sender: TwilioSender): Transport {
  return {
    provider: 'twilio',
    send: async (m) => {
      const r = await sender.send({
        to: m.to,
        body: m.text,
        idempotencyKey: m.idempotencyKey,
        statusCallbackParams: { lead_id: m.leadId, step: String(m.step) },
      });
      return { providerMessageId: r.providerMessageId };
    },
  };
}

/**
 * Without provider credentials the local product still "sends": the ledger row is the message,
 * readable by an operator (the local outbox). Nothing leaves the machine.
 */
export function localTransport(): Transport {
  return { provider: 'local', send: async (m) => ({ providerMessageId: `local:${m.idempotencyKey}` }) };
}
