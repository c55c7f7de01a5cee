// Quarantined inputs: anything that could not become a lead is kept whole, with why, so an
// operator can see it, fix the cause and replay it. Nothing is ever dropped.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { QuarantineRow } from '../schema.js';
import { jsonb } from './json.js';
import type { Db } from './leads.js';

export interface QuarantineInput {
  source: 'imap' | 'http' | 'cli';
  sourceRef: string | null;
  mail?: { mailbox: string; uidValidity: string; uid: number } | undefined;
  contentType: string | null;
  raw: Buffer;
  reason: string;
  errorCode: string | null;
  receivedAt?: Date | undefined;
}

export type QuarantineEntry = Omit<QuarantineRow, 'raw' | 'lead_ids'> & { raw: Buffer; lead_ids: string[] };

const toEntry = (row: QuarantineRow): QuarantineEntry => ({
  ...row,
  // PGlite hands back Uint8Array, pg a Buffer: callers always get a Buffer.
  raw: Buffer.isBuffer(row.raw) ? row.raw : Buffer.from(row.raw),
  lead_ids: row.lead_ids as unknown as string[],
});

/** Inserts, or returns the existing row for the same mailbox message (a re-read after a crash). */
export async function quarantine(db: Db, q: QuarantineInput): Promise<{ id: string; inserted: boolean }> {
  const id = randomUUID();
  const row = await db
    .insertInto('quarantine')
    .values({
      id,
      source: q.source,
      source_ref: q.sourceRef,
      mailbox: q.mail?.mailbox ?? null,
      uid_validity: q.mail?.uidValidity ?? null,
      uid: q.mail?.uid ?? null,
      content_type: q.contentType,
      raw: q.raw,
      // A parser's error text may quote the NUL that made it fail; PostgreSQL text cannot hold U+0000.
      reason: q.reason.replaceAll('\u0000', '\uFFFD'),
      error_code: q.errorCode,
      ...(q.receivedAt !== undefined ? { received_at: q.receivedAt } : {}),
    })
    .onConflict((oc) => oc.columns(['mailbox', 'uid_validity', 'uid']).where('mailbox', 'is not', null).doNothing())
    .returning('id')
    .executeTakeFirst();
  if (row !== undefined) return { id: row.id, inserted: true };
  const existing = await db
    .selectFrom('quarantine')
    .select('id')
    .where('mailbox', '=', q.mail!.mailbox)
    .where('uid_validity', '=', q.mail!.uidValidity)
    .where('uid', '=', String(q.mail!.uid))
    .executeTakeFirstOrThrow();
  return { id: existing.id, inserted: false };
}

export async function getQuarantined(db: Db, id: string): Promise<QuarantineEntry | undefined> {
  const row = await db.selectFrom('quarantine').selectAll().where('id', '=', id).executeTakeFirst();
  return row === undefined ? undefined : toEntry(row);
}

export async function listQuarantined(
  db: Db,
  q: { status?: string; limit: number; offset: number },
): Promise<Array<Omit<QuarantineEntry, 'raw'> & { size: number }>> {
  let query = db
    .selectFrom('quarantine')
    .select([
      'id',
      'source',
      'source_ref',
      'mailbox',
      'uid_validity',
      'uid',
      'content_type',
      'reason',
      'error_code',
      'status',
      'retries',
      'lead_ids',
      'received_at',
      'created_at',
      'updated_at',
      sql<number>`octet_length(raw)::int`.as('size'),
    ])
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .limit(q.limit)
    .offset(q.offset);
  if (q.status !== undefined) query = query.where('status', '=', q.status);
  const rows = await query.execute();
  return rows.map((r) => ({ ...r, lead_ids: r.lead_ids as unknown as string[] }));
}

/** Records a retry: resolved with the leads it produced, or still open with the new reason. */
export async function recordQuarantineRetry(db: Db, id: string, outcome: { leadIds: string[] } | { reason: string; errorCode: string | null }): Promise<void> {
  const base = { retries: sql<number>`retries + 1`, updated_at: sql<Date>`now()` };
  const set =
    'leadIds' in outcome
      ? { ...base, status: 'resolved', lead_ids: jsonb(outcome.leadIds) }
      : { ...base, reason: outcome.reason, error_code: outcome.errorCode };
  await db.updateTable('quarantine').set(set).where('id', '=', id).execute();
}

export async function countOpenQuarantine(db: Db): Promise<number> {
  const row = await db
    .selectFrom('quarantine')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('status', '=', 'open')
    .executeTakeFirstOrThrow();
  return row.n;
}
