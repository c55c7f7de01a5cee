// Lead ingest over HTTP: the JSON lead, the ADF answer, and the lead references both return.
import { Type } from 'typebox';
import { Nullable } from './common.js';

/** A started lead (the intake's AcceptedLead, or submitLead's StartedLead). */
export const LeadRef = Type.Object({
  leadId: Type.String(),
  runId: Type.Optional(Type.String()),
  arrivalId: Type.Optional(Type.String()),
  prospect: Type.Optional(Type.Integer()),
  status: Type.Optional(Type.String()),
});

export const AdfAccepted = Type.Object({
  status: Type.String(),
  leads: Type.Array(LeadRef),
  quarantineId: Type.Optional(Type.String()),
  reason: Type.Optional(Type.String()),
});

/** Makes a repeated request the same arrival rather than a new one. */
export const IdempotencyHeaders = Type.Object({ 'idempotency-key': Type.Optional(Type.String()) });

const Contact = Type.Object(
  {
    firstName: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
    lastName: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
    email: Type.Optional(Nullable(Type.String({ maxLength: 320 }))),
    phone: Type.Optional(Nullable(Type.String({ maxLength: 40 }))),
  },
  { additionalProperties: false },
);

export const LeadBody = Type.Object(
  {
    source: Type.String({ minLength: 1, maxLength: 100 }),
    externalId: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
    campaignId: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
    contact: Contact,
    /** The recipient's IANA time zone (`America/Chicago`): sending windows open in the recipient's hours. */
    recipientTimeZone: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 64 }))),
    payload: Type.Optional(Type.Unsafe<Record<string, unknown>>({ type: 'object' })),
  },
  { additionalProperties: false },
);
