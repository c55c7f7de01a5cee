// The quarantine: what could not become a lead, and the outcome of re-running it.
import { Type } from 'typebox';
import { DateTime, Nullable, StringEnum, WithDefaults, page, pageEcho } from './common.js';

export const QuarantineIdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

export const ListQuarantineQuery = WithDefaults(
  Type.Object(
    {
      status: Type.Optional(StringEnum(['open', 'resolved'])),
      ...page(50),
    },
    { additionalProperties: false },
  ),
);

// The stored item without its bytes. Open: a column added later is served without editing this.
const itemColumns = {
  id: Type.String(),
  source: Type.String(),
  source_ref: Nullable(Type.String()),
  mailbox: Nullable(Type.String()),
  uid_validity: Nullable(Type.String()),
  uid: Nullable(Type.String()),
  content_type: Nullable(Type.String()),
  reason: Type.String(),
  error_code: Nullable(Type.String()),
  status: Type.String(),
  retries: Type.Integer(),
  lead_ids: Type.Array(Type.String()),
  received_at: DateTime,
  created_at: DateTime,
  updated_at: DateTime,
  /** Bytes of the original. */
  size: Type.Integer(),
};

export const QuarantineList = Type.Object({ items: Type.Array(Type.Object(itemColumns, { additionalProperties: true })), ...pageEcho });

export const QuarantineItem = Type.Object({ ...itemColumns, rawBase64: Type.String() }, { additionalProperties: true });

/** The original bytes, in the content type they arrived with. */
export const QuarantineRaw = {
  description: 'The original bytes, as the content type they arrived with',
  content: { '*/*': { schema: Type.Unsafe<Buffer>(Type.String({ format: 'binary' })) } },
};

/**
 * The intake's IngestResult of a retry that made the item a lead (200). A retry that still fails is
 * a 422 problem whose extensions carry the rest: `outcome` (`quarantined` or `partial`), `code`,
 * `quarantineId` and the `leads` a partial retry started.
 */
export const IngestOutcome = Type.Object(
  {
    status: Type.String(),
    leads: Type.Array(Type.Object({ leadId: Type.String() }, { additionalProperties: true })),
    quarantineId: Type.Optional(Type.String()),
    reason: Type.Optional(Type.String()),
    code: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);
