// Leads for operators: the list, one lead's detail, and the operator signals.
import { Type, type TProperties } from 'typebox';
import { DateTime, JsonObject, Nullable, StringEnum, WithDefaults, page, pageEcho } from './common.js';

export const LeadIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 500 }) });

export const ListLeadsQuery = WithDefaults(
  Type.Object(
    {
      status: Type.Optional(Type.String({ maxLength: 50 })),
      campaign: Type.Optional(Type.String({ maxLength: 200 })),
      tier: Type.Optional(StringEnum(['hot', 'warm', 'cold'])),
      q: Type.Optional(Type.String({ maxLength: 200 })),
      ...page(50),
    },
    { additionalProperties: false },
  ),
);

// The leads table as stored. Open: a column added later is served without editing this.
const leadColumns = {
  id: Type.String(),
  source: Type.String(),
  external_id: Nullable(Type.String()),
  campaign_id: Nullable(Type.String()),
  first_name: Nullable(Type.String()),
  last_name: Nullable(Type.String()),
  email: Nullable(Type.String()),
  phone: Nullable(Type.String()),
  status: Type.String(),
  tier: Nullable(Type.String()),
  created_at: DateTime,
  updated_at: DateTime,
};

export const LeadList = Type.Object({
  // The list leaves out each lead's payload: the detail has it.
  items: Type.Array(Type.Object(leadColumns, { additionalProperties: true })),
  ...pageEcho,
});

export const LeadEvent = Type.Object(
  {
    id: Type.String(),
    lead_id: Type.String(),
    event_key: Type.String(),
    type: Type.String(),
    detail: JsonObject,
    occurred_at: DateTime,
  },
  { additionalProperties: true },
);

export const LeadDetail = Type.Object({
  lead: Type.Object({ ...leadColumns, payload: JsonObject }, { additionalProperties: true }),
  /** The workflow's live state (workflows/lead/contract.ts LeadState); null when it cannot be queried. */
  state: Nullable(Type.Object({ leadId: Type.String(), status: Type.String(), arrivals: Type.Integer() }, { additionalProperties: true })),
  stateError: Nullable(Type.String()),
  timeline: Type.Array(LeadEvent),
  links: Type.Object({ temporalUi: Type.String() }),
});

export const ReasonBody = Type.Object({ reason: Type.String({ minLength: 1, maxLength: 500 }) }, { additionalProperties: false });
export const EmptyBody = Type.Object({}, { additionalProperties: false });
// A retry may carry the corrected contact the provider refused; the workflow re-enriches it.
export const RetryBody = Type.Object(
  {
    email: Type.Optional(Type.String({ format: 'email', maxLength: 320 })),
    phone: Type.Optional(Type.String({ minLength: 3, maxLength: 40 })),
  },
  { additionalProperties: false },
);

/** `{ leadId, <action>Requested: true }`, e.g. `SignalAccepted({ stopRequested: Type.Boolean() })`. */
export const SignalAccepted = <Flag extends TProperties>(flag: Flag) => Type.Object({ leadId: Type.String(), ...flag });
