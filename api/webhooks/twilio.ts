// Twilio status callbacks and inbound SMS: X-Twilio-Signature verified against our public URL,
// each event stored once (MessageSid + status; MessageSid for inbound).
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import twilio from 'twilio';
import { findActiveLeadByPhone, getLead, recordLeadEvent, recordProviderEvent } from '../../db/index.js';
import { signalLead, twilioInboundLeadSignal, twilioStatusLeadSignal } from './lead-events.js';
import type { IntentClassifier } from '../../domain/mail/classify/types.js';
import { publicUrl } from '../../domain/links.js';
import { findTextProblem } from '../../domain/text/checks.js';
import { sendProblem } from '../errors.js';
import { Problem, Unexpected } from '../schemas/common.js';
import { TwiML, TwilioHeaders, TwilioStatusQuery, WebhookReceipt } from '../schemas/webhooks.js';

export interface TwilioWebhookOptions {
  authToken: string | null;
  publicUrl: string;
  classifyIntent?: IntentClassifier | undefined;
}

const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>';

/** The POST parameters (the form parser below makes them an object of strings); {} when there are none. */
const formParams = (body: unknown): Record<string, string> =>
  typeof body === 'object' && body !== null ? Object.fromEntries(Object.entries(body).filter((kv): kv is [string, string] => typeof kv[1] === 'string')) : {};

// Not configured 404, unsigned 401, a signature that does not match 403, a parameter missing or unstorable 400.
const problems = { 400: Problem, 401: Problem, 403: Problem, 404: Problem, ...Unexpected };

/**
 * The shapes Twilio gives the parameters that key the stored event. Checked because they become
 * the event's unique key: a signed request with a 700 KB MessageStatus (found by the API fuzzer)
 * overflowed PostgreSQL's index row and answered 500. Both shapes stay far inside
 * MAX_PROVIDER_KEY_BYTES, the bound the SendGrid webhook checks; the status callback's lead_id,
 * the other key, is bounded by its query schema.
 */
const SHAPES = {
  // Twilio's are two letters and 32 hex digits; any short alphanumeric id is taken.
  MessageSid: { re: /^[A-Za-z0-9]{2,64}$/, says: 'a Twilio SID (letters and digits, at most 64)' },
  MessageStatus: { re: /^[a-z][a-z_]{0,39}$/, says: 'a Twilio message status (lowercase letters and _, at most 40)' },
} as const;

/** A 400 naming the first of `fields` that is not in Twilio's shape; false when all are. */
async function refuseMalformed(reply: FastifyReply, p: Record<string, string>, fields: Array<keyof typeof SHAPES>): Promise<boolean> {
  const bad = fields.find((f) => !SHAPES[f].re.test(p[f] ?? ''));
  if (bad === undefined) return false;
  const message = `form parameter ${bad} is not ${SHAPES[bad].says}`;
  await sendProblem(reply, 400, message, { errors: [{ field: bad, message }] });
  return true;
}

export const twilioWebhooks: FastifyPluginAsyncTypebox<TwilioWebhookOptions> = async (app, opts) => {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body.toString())));
  });

  /** false when the request is genuine and storable; otherwise the reply has been sent. */
  async function refuse(req: FastifyRequest, reply: FastifyReply): Promise<boolean> {
    if (opts.authToken === null) {
      await sendProblem(reply, 404, 'Twilio webhooks are not configured (TWILIO_AUTH_TOKEN)');
      return true;
    }
    const signature = req.headers['x-twilio-signature'];
    if (typeof signature !== 'string') {
      await sendProblem(reply, 401, 'the request is not signed');
      return true;
    }
    // Twilio signs the URL it called (ours, public, with its query string) plus the POST params.
    // The URL Twilio signed: the same builder the sender used for the callback (API_PUBLIC_URL may carry a path prefix).
    const url = publicUrl(opts.publicUrl, req.url);
    if (!twilio.validateRequest(opts.authToken, signature, url, formParams(req.body))) {
      await sendProblem(reply, 403, 'the signature does not match');
      return true;
    }
    // Genuine, but a parameter PostgreSQL cannot hold (a NUL: `MessageSid=%00`) would be a 500:
    // refused naming it. One request is one event, so nothing valid is held back with it.
    const problem = findTextProblem(formParams(req.body));
    if (problem !== null) {
      const message = `form parameter ${problem.field} ${problem.reason}`;
      await sendProblem(reply, 400, message, { errors: [{ field: problem.field, message }] });
      return true;
    }
    return false;
  }

  app.post(
    '/webhooks/twilio/status',
    {
      config: { auth: false },
      schema: { headers: TwilioHeaders, querystring: TwilioStatusQuery, response: { 200: WebhookReceipt, ...problems } },
    },
    async (req, reply) => {
      if (await refuse(req, reply)) return reply;
      const p = formParams(req.body);
      if (!p.MessageSid || !p.MessageStatus) return sendProblem(reply, 400, 'MessageSid and MessageStatus are required');
      if (await refuseMalformed(reply, p, ['MessageSid', 'MessageStatus'])) return reply;
      const query = req.query;
      const leadId = query.lead_id ?? null;
      const { inserted } = await recordProviderEvent(app.db, {
        provider: 'twilio',
        eventId: `${p.MessageSid}:${p.MessageStatus}`,
        leadId,
        type: `sms.${p.MessageStatus}`,
        payload: { ...p, ...query },
      });
      let signalled = 0;
      if (leadId !== null && (await getLead(app.db, leadId)) !== undefined) {
        if (inserted) {
          await recordLeadEvent(app.db, {
            leadId,
            eventKey: `twilio:${p.MessageSid}:${p.MessageStatus}`,
            type: `sms.${p.MessageStatus}`,
            detail: { provider: 'twilio', messageSid: p.MessageSid, status: p.MessageStatus, errorCode: p.ErrorCode ?? null },
          });
        }
        const signal = twilioStatusLeadSignal(p, query);
        if (signal !== null && (await signalLead(app.temporal, leadId, signal))) signalled = 1;
      }
      return reply.send({ accepted: inserted ? 1 : 0, duplicates: inserted ? 0 : 1, signalled });
    },
  );

  app.post(
    '/webhooks/twilio/inbound',
    {
      config: { auth: false },
      schema: { headers: TwilioHeaders, response: { 200: TwiML, ...problems } },
    },
    async (req, reply) => {
      if (await refuse(req, reply)) return reply;
      const p = formParams(req.body);
      if (!p.MessageSid) return sendProblem(reply, 400, 'MessageSid is required');
      if (await refuseMalformed(reply, p, ['MessageSid'])) return reply;
      // The lead is the newest one still in conversation with this number.
      const lead = p.From ? await findActiveLeadByPhone(app.db, p.From) : undefined;
      await recordProviderEvent(app.db, { provider: 'twilio', eventId: p.MessageSid, leadId: lead?.id ?? null, type: 'sms.inbound', payload: p });
      if (lead !== undefined) {
        const signal = twilioInboundLeadSignal(p, new Date().toISOString());
        // A reply (not an opt-out keyword) gets the AI's intent when configured and confident.
        if (signal.signal === 'replyReceived' && opts.classifyIntent !== undefined) signal.args.intent = (await opts.classifyIntent(signal.args.text)).intent;
        await signalLead(app.temporal, lead.id, signal);
      } else req.log.warn({ messageSid: p.MessageSid }, 'inbound SMS matches no active lead; stored in provider_events');
      // Replying with empty TwiML: no automatic answer; reply handling belongs to the lead workflow.
      return reply.type('text/xml').send(EMPTY_TWIML);
    },
  );
};
