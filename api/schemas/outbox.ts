// The outbox: every message the leads decided to send, with its ledger state.
import { Type } from 'typebox';
import { DateTime, Nullable, NullableDateTime, WithDefaults, page, pageEcho } from './common.js';

export const ListOutboxQuery = WithDefaults(
  Type.Object({ lead: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })), ...page(50) }, { additionalProperties: false }),
);
export const PageQuery = WithDefaults(Type.Object(page(50), { additionalProperties: false }));

// Rows as stored. Open: a column added later is served without editing this.
const OutboxMessage = Type.Object(
  {
    idempotency_key: Type.String(),
    lead_id: Type.String(),
    step: Type.Integer(),
    channel: Type.String(),
    provider: Type.String(),
    recipient: Type.String(),
    subject: Nullable(Type.String()),
    body: Type.String(),
    status: Type.String(),
    in_flight: Type.Boolean(),
    attempts: Type.Integer(),
    provider_message_id: Nullable(Type.String()),
    error_code: Nullable(Type.String()),
    error: Nullable(Type.String()),
    created_at: DateTime,
    updated_at: DateTime,
    sent_at: NullableDateTime,
    message_id: Nullable(Type.String()),
  },
  { additionalProperties: true },
);

export const OutboxList = Type.Object({ items: Type.Array(OutboxMessage), ...pageEcho });
