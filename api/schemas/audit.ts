// The audit trail: one row per write, allowed or denied.
import { Type } from 'typebox';
import { DateTime, Nullable, WithDefaults, page, pageEcho } from './common.js';

export const ListAuditQuery = WithDefaults(Type.Object(page(100), { additionalProperties: false }));

// Open: a column added later is served without editing this.
const AuditEntry = Type.Object(
  {
    id: Type.String(),
    at: DateTime,
    api_key_id: Nullable(Type.String()),
    api_key_name: Nullable(Type.String()),
    method: Type.String(),
    route: Type.String(),
    target: Nullable(Type.String()),
    status: Type.Integer(),
    request_id: Type.String(),
  },
  { additionalProperties: true },
);

export const AuditList = Type.Object({ items: Type.Array(AuditEntry), ...pageEcho });
