// Twilio status callbacks and inbound SMS: X-Twilio-Signature verified against our public URL,
// each event stored once (MessageSid + status; MessageSid for inbound).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import twilio from 'twilio';
import { findActiveLeadByPhone, getLead, recordLeadEvent, recordProviderEvent } from '../../db/index.js';
import { signalLead, twilioInboundLeadSignal, twilioStatusLeadSignal } from './lead-events.js';
import type { IntentClassifier } from '../../domain/mail/classify/types.js';
import { sendProblem } from '../errors.js';

export interface TwilioWebhookOptions { authToken: string | null; publicUrl: string; classifyIntent?: IntentClassifier | undefined }

const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>';

export async function twilioWebhooks(app: FastifyInstance, opts: TwilioWebhookOptions): Promise<void> {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });

  /** null when the request is genuine; otherwise the reply has been sent. */
  async function refuse(req: FastifyRequest, reply: FastifyReply): Promise<boolean> {
    if (opts.authToken === null) { await sendProblem(reply, 404, 'Twilio webhooks are not configured (TWILIO_AUTH_TOKEN)'); return true; }
    const signature = req.headers['x-twilio-signature'];
    if (typeof signature !== 'string') { await sendProblem(reply, 401, 'the request is not signed'); return true; }
    // Twilio signs the URL it called (ours, public, with its query string) plus the POST params.
    const url = new URL(req.url, opts.publicUrl).toString();
    const params = (req.body ?? {}) as Record<string, string>;
    if (!twilio.validateRequest(opts.authToken, signature, url, params)) { await sendProblem(reply, 403, 'the signature does not match'); return true; }
    return false;
  }

  app.post('/webhooks/twilio/status', { config: { auth: false } }, async (req, reply) => {
    if (await refuse(req, reply)) return reply;
    const p = req.body as Record<string, string>;
    if (!p.MessageSid || !p.MessageStatus) return sendProblem(reply, 400, 'MessageSid and MessageStatus are required');
    const query = req.query as Record<string, string | undefined>;
    const leadId = query.lead_id ?? null;
    const { inserted } = await recordProviderEvent(app.db, { provider: 'twilio', eventId: `${p.MessageSid}:${p.MessageStatus}`, leadId, type: `sms.${p.MessageStatus}`, payload: { ...p, ...query } });
    let signalled = 0;
    if (leadId !== null && (await getLead(app.db, leadId)) !== undefined) {
      if (inserted) {
        await recordLeadEvent(app.db, { leadId, eventKey: `twilio:${p.MessageSid}:${p.MessageStatus}`, type: `sms.${p.MessageStatus}`, detail: { provider: 'twilio', messageSid: p.MessageSid, status: p.MessageStatus, errorCode: p.ErrorCode ?? null } });
      }
      const signal = twilioStatusLeadSignal(p, query);
      if (signal !== null && (await signalLead(app.temporal, leadId, signal))) signalled = 1;
    }
    return reply.send({ accepted: inserted ? 1 : 0, duplicates: inserted ? 0 : 1, signalled });
  });

  app.post('/webhooks/twilio/inbound', { config: { auth: false } }, async (req, reply) => {
    if (await refuse(req, reply)) return reply;
    const p = req.body as Record<string, string>;
    if (!p.MessageSid) return sendProblem(reply, 400, 'MessageSid is required');
    // The lead is the newest one still in conversation with this number.
    const lead = p.From ? await findActiveLeadByPhone(app.db, p.From) : undefined;
    await recordProviderEvent(app.db, { provider: 'twilio', eventId: p.MessageSid, leadId: lead?.id ?? null, type: 'sms.inbound', payload: p });
    if (lead !== undefined) {
      const signal = twilioInboundLeadSignal(p, new Date().toISOString());
      // A reply (not an opt-out keyword) gets the AI's intent when configured and confident.
      if (signal.signal === 'replyReceived' && opts.classifyIntent !== undefined) signal.args.intent = (await opts.classifyIntent(signal.args.text)).intent;
      await signalLead(app.temporal, lead.id, signal);
    }
    else req.log.warn({ messageSid: p.MessageSid }, 'inbound SMS matches no active lead; stored in provider_events');
    // Replying with empty TwiML: no automatic answer; reply handling belongs to the lead workflow.
    return reply.type('text/xml').send(EMPTY_TWIML);
  });
}
