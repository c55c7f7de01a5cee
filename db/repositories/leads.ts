import { sql, type Kysely, type Transaction } from 'kysely';
import { jsonb } from './json.js';
import type { Database, JsonbInput, LeadEventRow, LeadRow, NewLeadRow } from '../schema.js';

export type Db = Kysely<Database> | Transaction<Database>;

// Columns an upsert may overwrite. id is the conflict key; created_at never changes.
const UPSERT_COLUMNS = [
  'source',
  'external_id',
  'campaign_id',
  'first_name',
  'last_name',
  'email',
  'phone',
  'status',
  'tier',
  'payload',
] as const satisfies readonly (keyof NewLeadRow)[];

/**
 * Inserts the lead, or updates it if the id exists, and returns the stored row.
 * On update only the fields present in `lead` are overwritten: a retried "save lead"
 * activity that omits `status` must not reset a status the workflow has since moved on.
 */
export async function upsertLead(db: Db, lead: NewLeadRow): Promise<LeadRow> {
  const present = UPSERT_COLUMNS.filter((column) => lead[column] !== undefined);
  return db
    .insertInto('leads')
    .values({ ...lead, payload: jsonb(lead.payload) })
    .onConflict((oc) =>
      oc.column('id').doUpdateSet((eb) => {
        // `excluded.<col>` is the value this insert tried to write.
        const set = Object.fromEntries(present.map((c) => [c, eb.ref(`excluded.${c}`)]));
        return { ...set, updated_at: sql<Date>`now()` };
      }),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function getLead(db: Db, id: string): Promise<LeadRow | undefined> {
  return db.selectFrom('leads').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * Sets the status (and the tier, when given; `null` clears it). Returns the updated
 * row, or undefined when no lead has that id.
 */
export function setLeadStatus(db: Db, id: string, status: string, tier?: string | null): Promise<LeadRow | undefined> {
  return db
    .updateTable('leads')
    .set({ status, ...(tier !== undefined && { tier }), updated_at: sql<Date>`now()` })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

export interface RecordLeadEvent {
  leadId: string;
  /** Idempotency key, unique per lead: derive it from the workflow/activity, not a clock. */
  eventKey: string;
  type: string;
  detail?: JsonbInput;
  /** Defaults to the database's now(). */
  occurredAt?: Date;
}

/** Records the event once; a repeat with the same (leadId, eventKey) is a no-op. */
export async function recordLeadEvent(db: Db, event: RecordLeadEvent): Promise<{ inserted: boolean }> {
  const row = await db
    .insertInto('lead_events')
    .values({
      lead_id: event.leadId,
      event_key: event.eventKey,
      type: event.type,
      detail: jsonb(event.detail ?? {}),
      ...(event.occurredAt !== undefined && { occurred_at: event.occurredAt }),
    })
    .onConflict((oc) => oc.columns(['lead_id', 'event_key']).doNothing())
    // RETURNING yields no row when the conflict suppressed the insert; that is more
    // portable across the two drivers than their affected-row counts.
    .returning('id')
    .executeTakeFirst();
  return { inserted: row !== undefined };
}

/** Oldest first; id breaks ties between events recorded in the same transaction. */
export function listLeadEvents(db: Db, leadId: string): Promise<LeadEventRow[]> {
  return db.selectFrom('lead_events').selectAll().where('lead_id', '=', leadId).orderBy('occurred_at').orderBy('id').execute();
}

export interface ListLeadsQuery {
  status?: string | undefined;
  campaignId?: string | undefined;
  tier?: string | undefined;
  /** Free text matched against name, e-mail and phone (case-insensitive substring). */
  q?: string | undefined;
  limit: number;
  offset: number;
}

export const MAX_LIST_LIMIT = 500;

/** Newest first, with id as a tie-breaker so pages never overlap or skip rows. */
export async function listLeads(db: Db, query: ListLeadsQuery): Promise<LeadRow[]> {
  const { status, campaignId, tier, limit, offset } = query;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
    throw new RangeError(`limit must be an integer from 1 to ${MAX_LIST_LIMIT}, got ${limit}`);
  }
  if (!Number.isInteger(offset) || offset < 0) {
    throw new RangeError(`offset must be a non-negative integer, got ${offset}`);
  }
  let q = db.selectFrom('leads').selectAll();
  if (status !== undefined) q = q.where('status', '=', status);
  if (campaignId !== undefined) q = q.where('campaign_id', '=', campaignId);
  if (tier !== undefined) q = q.where('tier', '=', tier);
  if (query.q !== undefined && query.q.trim() !== '') {
    // LIKE metacharacters in the search text are literal, not wildcards.
    const pattern = `%${query.q.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const digits = query.q.replace(/\D/g, '');
    q = q.where((eb) =>
      eb.or([
        eb('first_name', 'ilike', pattern),
        eb('last_name', 'ilike', pattern),
        eb('email', 'ilike', pattern),
        eb(sql<string>`concat_ws(' ', first_name, last_name)`, 'ilike', pattern),
        ...(digits.length >= 4 ? [eb('phone', 'like', `%${digits}%`)] : []),
      ]),
    );
  }
  return q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).offset(offset).execute();
}

/** Statuses in which a lead still converses (its workflow runs and may send). */
export const ACTIVE_LEAD_STATUSES = ['received', 'sending', 'waiting', 'waiting_for_slot', 'needs_attention', 'paused'] as const;

/** The newest lead still in conversation with this phone number (E.164), if any. */
export function findActiveLeadByPhone(db: Db, phone: string): Promise<LeadRow | undefined> {
  return db
    .selectFrom('leads')
    .selectAll()
    .where('phone', '=', phone)
    .where('status', 'in', [...ACTIVE_LEAD_STATUSES])
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}
