// SendGrid Event Webhook: verified over the raw body, each event stored once by sg_event_id, and
// written to its lead's timeline when it carries our lead_id custom argument.
//
// A signed batch that parses as an array is always acknowledged (200), even when some of its
// events cannot be stored: SendGrid retries a whole batch on any non-2xx answer, so one poison
// event (no sg_event_id, a NUL or an unpaired surrogate that PostgreSQL cannot hold) would block
// the valid events beside it on every retry, forever. Those events are skipped, logged, and
// listed in the receipt's `refused` (each with its JSON path and why); the rest are stored.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { KeyObject } from 'node:crypto';
import type { Static } from 'typebox';
import { Value } from 'typebox/value';
import { getLead, MAX_PROVIDER_KEY_BYTES, recordLeadEvent, recordProviderEvent } from '../../db/index.js';
import { findTextProblem, jsonPointer } from '../../domain/text/checks.js';
import { checkSendGrid } from './verify.js';
import { sendGridLeadSignal, signalLead } from './lead-events.js';
import { sendProblem } from '../errors.js';
import { Problem, Unexpected } from '../schemas/common.js';
import { SendGridEvent, SendGridHeaders, WebhookReceipt } from '../schemas/webhooks.js';

type SendGridEvent = Static<typeof SendGridEvent> & Record<string, unknown>;
const isEvent = (e: unknown): e is SendGridEvent => Value.Check(SendGridEvent, e);

export const sendGridWebhook: FastifyPluginAsyncTypebox<{ key: KeyObject | null; maxAgeSeconds: number }> = async (app, opts) => {
  // The signature covers the exact bytes sent: this route must see them unparsed.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  app.post(
    '/webhooks/sendgrid',
    {
      config: { auth: false },
      schema: { headers: SendGridHeaders, response: { 200: WebhookReceipt, 400: Problem, 401: Problem, 403: Problem, 404: Problem, ...Unexpected } },
    },
    async (req, reply) => {
      if (opts.key === null) return sendProblem(reply, 404, 'the SendGrid event webhook is not configured (SENDGRID_WEBHOOK_PUBLIC_KEY)');
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const rejected = checkSendGrid(opts.key, opts.maxAgeSeconds, req.headers, raw);
      if (rejected) return sendProblem(reply, rejected.status, rejected.detail);

      let events: unknown;
      try {
        events = JSON.parse(raw.toString('utf8'));
      } catch {
        return sendProblem(reply, 400, 'the body is not JSON');
      }
      if (!Array.isArray(events)) return sendProblem(reply, 400, 'the body must be a JSON array of events');

      let accepted = 0;
      let duplicates = 0;
      let signalled = 0;
      const refused: Array<{ index: number; field: string; message: string }> = [];
      const refuse = (index: number, field: string, message: string) => {
        refused.push({ index, field, message });
        req.log.warn({ index, field, message }, 'SendGrid event refused; the rest of the batch is stored');
      };
      for (const [index, e] of events.entries()) {
        if (!isEvent(e)) {
          refuse(index, `/${index}`, `event ${index} lacks a string sg_event_id or event`);
          continue;
        }
        // The event id and lead id are index keys: PostgreSQL refuses a btree entry over ~2.7 KB
        // (found by the fuzzer). SendGrid's own ids are a few dozen characters.
        const tooLong = (['sg_event_id', 'lead_id'] as const).find((k) => typeof e[k] === 'string' && Buffer.byteLength(e[k]) > MAX_PROVIDER_KEY_BYTES);
        if (tooLong !== undefined) {
          refuse(index, `/${index}/${tooLong}`, `event ${index}: ${tooLong} is longer than ${MAX_PROVIDER_KEY_BYTES} bytes`);
          continue;
        }
        // After the signature check: text PostgreSQL cannot hold, anywhere in the event (it is stored whole).
        const problem = findTextProblem(e, `[${index}]`);
        if (problem !== null) {
          refuse(index, jsonPointer(problem.field), `event ${index}: ${problem.field} ${problem.reason}`);
          continue;
        }
        const leadId = typeof e.lead_id === 'string' ? e.lead_id : null;
        const { inserted } = await recordProviderEvent(app.db, { provider: 'sendgrid', eventId: e.sg_event_id, leadId, type: e.event, payload: e });
        if (inserted) accepted += 1;
        else duplicates += 1;
        if (leadId === null || (await getLead(app.db, leadId)) === undefined) continue;
        if (inserted) {
          await recordLeadEvent(app.db, {
            leadId,
            eventKey: `sendgrid:${e.sg_event_id}`,
            type: `email.${e.event}`,
            detail: { provider: 'sendgrid', event: e.event, messageId: e.sg_message_id ?? null, bounceType: e.type ?? null, reason: e.reason ?? null },
          });
        }
        // Signalled even when the event is a re-delivery: the workflow dedupes by event id, and a
        // previous delivery may have been stored but not signalled (Temporal down → we answered 5xx).
        const signal = sendGridLeadSignal(e);
        if (signal !== null && (await signalLead(app.temporal, leadId, signal))) signalled += 1;
      }
      return reply.send({ accepted, duplicates, signalled, ...(refused.length > 0 && { refused }) });
    },
  );
};
