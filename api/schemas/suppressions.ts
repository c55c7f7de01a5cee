// The suppression list: addresses no lead or campaign may message, added by bounces, complaints
// and unsubscribes or by an operator, and released only by an admin with a reason.
import { Type } from 'typebox';
import { DateTime, Nullable, WithDefaults, page, pageEcho } from './common.js';

export const ListSuppressionsQuery = WithDefaults(
  Type.Object(
    { address: Type.Optional(Type.String({ minLength: 3, maxLength: 320, description: 'only this address (e-mail or E.164 phone)' })), ...page(50) },
    { additionalProperties: false },
  ),
);

// Rows as stored. Open: a column added later is served without editing this.
export const Suppression = Type.Object(
  {
    id: Type.String(),
    address: Type.String(),
    channel: Type.String(),
    reason: Type.String(),
    lead_id: Nullable(Type.String()),
    event_id: Nullable(Type.String()),
    created_at: DateTime,
  },
  { additionalProperties: true },
);
export const SuppressionList = Type.Object({ items: Type.Array(Suppression), ...pageEcho });

export const AddSuppressionBody = Type.Object(
  {
    address: Type.String({ minLength: 3, maxLength: 320, description: 'an e-mail address or an E.164 phone number' }),
    reason: Type.String({ minLength: 1, maxLength: 500 }),
  },
  { additionalProperties: false },
);
export const AddedSuppression = Type.Object({ ...Suppression.properties, created: Type.Boolean() }, { additionalProperties: true });

export const SuppressionIdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const Reason = Type.String({ minLength: 1, maxLength: 500 });
export const ReleaseQuery = Type.Object({ reason: Type.Optional(Reason) }, { additionalProperties: false });
export const ReleaseBody = Type.Union([Type.Object({ reason: Reason }, { additionalProperties: false }), Type.Null()]);

export const SuppressionRelease = Type.Object(
  {
    id: Type.String(),
    address: Type.String(),
    channel: Type.String(),
    suppressed_reason: Type.String(),
    suppressed_at: DateTime,
    reason: Type.String(),
    released_by: Type.String(),
    released_at: DateTime,
  },
  { additionalProperties: true },
);
