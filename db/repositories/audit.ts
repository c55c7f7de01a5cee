// The API's audit trail. Rows are only ever appended.
import type { JsonObject } from '../schema.js';
import { jsonb } from './json.js';
import type { Db } from './leads.js';

export interface AuditEntry {
  apiKeyId: string | null;
  apiKeyName: string | null;
  method: string;
  /** The route pattern (e.g. /leads/:id/stop), never the raw URL with its query string. */
  route: string;
  /** The resource acted on (a lead or quarantine id), when the route has one. */
  target: string | null;
  status: number;
  requestId: string;
  /** Facts of the event beyond the route (an emergency stop's reason, start and end). */
  detail?: JsonObject | null;
}

export async function recordAudit(db: Db, e: AuditEntry): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      api_key_id: e.apiKeyId,
      api_key_name: e.apiKeyName,
      method: e.method,
      route: e.route,
      // Every write attempt leaves its row, even one whose target carried a NUL (refused with 400).
      target: e.target?.replaceAll('\u0000', '\uFFFD') ?? null,
      status: e.status,
      request_id: e.requestId,
      detail: e.detail == null ? null : jsonb(e.detail),
    })
    .execute();
}

export async function listAudit(db: Db, q: { limit: number; offset: number }) {
  return db.selectFrom('audit_log').selectAll().orderBy('at', 'desc').orderBy('id', 'desc').limit(q.limit).offset(q.offset).execute();
}
