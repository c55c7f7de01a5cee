// Lead ingest over HTTP: raw ADF (or a whole lead e-mail) and JSON. Both answer at once with the
// lead IDs; an `Idempotency-Key` header (or, for ADF, the document itself) makes a repeated
// request the same arrival rather than a new one.
import { arrivalKey } from '../../domain/ids/index.js';
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import validator from 'validator';
import type { Ingest } from '../../intake/ingest.js';
import type { LeadIdentity } from '../../temporal/lead-ids.js';
import { sendProblem } from '../errors.js';
import { InvalidLeadInputError, submitLead } from '../../temporal/lead-client.js';
import { KeyProblems, Problem } from '../schemas/common.js';
import { jsonPointer } from '../../domain/text/checks.js';
import { canonicalTimeZone } from '../../domain/time-zone.js';
import { AdfAccepted, IdempotencyHeaders, LeadBody, LeadRef } from '../schemas/ingest.js';

const ADF_TYPES = ['application/xml', 'text/xml', 'application/x-adf+xml', 'application/adf+xml', 'message/rfc822'];

const idempotencyKey = (headers: { 'idempotency-key'?: string | undefined }): string | null => {
  const v = headers['idempotency-key'];
  return typeof v === 'string' && v.trim() !== '' ? v.trim().slice(0, 200) : null;
};

class BadField extends Error {
  constructor(
    readonly field: string,
    message: string,
    readonly statusCode = 400,
  ) {
    super(message);
  }
}

export const ingestRoutes: FastifyPluginAsyncTypebox<{ ingest: Ingest; identity: LeadIdentity }> = async (app, opts) => {
  // ADF arrives as bytes: the declared encoding inside the document decides how to read it.
  app.addContentTypeParser(ADF_TYPES, { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  app.post(
    '/leads/adf',
    {
      config: { auth: 'write' },
      // No body schema: the body is the document's bytes, not JSON.
      schema: { headers: IdempotencyHeaders, response: { 202: AdfAccepted, 400: Problem, 415: Problem, 422: Problem, ...KeyProblems } },
    },
    async (req, reply) => {
      if (!Buffer.isBuffer(req.body)) {
        return sendProblem(reply, 415, `send the ADF document as one of ${ADF_TYPES.join(', ')}`);
      }
      const key = idempotencyKey(req.headers);
      const result = await opts.ingest(req.body, {
        source: 'http',
        sourceRef: `request ${req.id}`,
        arrivalKey: key !== null ? arrivalKey.httpKey(key) : arrivalKey.httpContent(req.body),
        receivedAt: new Date(),
        contentType: req.headers['content-type'] ?? null,
      });
      if (result.status === 'quarantined') {
        return sendProblem(reply, 422, result.reason, { code: result.code, quarantineId: result.quarantineId });
      }
      return reply.status(202).send(result);
    },
  );

  app.post(
    '/leads',
    {
      config: { auth: 'write' },
      schema: { headers: IdempotencyHeaders, body: LeadBody, response: { 202: LeadRef, 400: Problem, 413: Problem, 415: Problem, ...KeyProblems } },
    },
    async (req, reply) => {
      const body = req.body;
      const email = body.contact.email?.trim().toLowerCase() || null;
      if (email !== null && !validator.isEmail(email)) throw new BadField('/contact/email', `"${email}" is not a valid e-mail address`);
      let phone: string | null = null;
      if (body.contact.phone?.trim()) {
        const parsed = parsePhoneNumberFromString(body.contact.phone, 'US');
        if (!parsed?.isValid()) throw new BadField('/contact/phone', `"${body.contact.phone}" is not a valid phone number`);
        phone = parsed.number;
      }
      const zone = body.recipientTimeZone == null ? null : canonicalTimeZone(body.recipientTimeZone);
      if (body.recipientTimeZone != null && zone === null)
        throw new BadField('/recipientTimeZone', `"${body.recipientTimeZone}" is not an IANA time zone (e.g. America/Chicago)`);
      const key = idempotencyKey(req.headers);
      try {
        const started = await submitLead(
          app.temporal,
          {
            source: body.source,
            externalId: body.externalId ?? null,
            campaignId: body.campaignId ?? null,
            contact: { firstName: body.contact.firstName ?? null, lastName: body.contact.lastName ?? null, email, phone },
            payload: body.payload ?? {},
            ...(zone !== null && { recipientTimeZone: zone }),
          },
          { identity: opts.identity, arrivalId: key !== null ? `http:key:${key}` : `http:${randomUUID()}` },
        );
        return await reply.status(202).send(started);
      } catch (err) {
        // A lead too large for a workflow input is 413; anything else names its field.
        if (err instanceof InvalidLeadInputError) throw new BadField(err.field === null ? '/' : jsonPointer(err.field), err.message, err.tooLarge ? 413 : 400);
        throw err;
      }
    },
  );
};
