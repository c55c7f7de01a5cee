// Campaign rows: the validated definition (a PATCH bumps `version`) and the status every slot
// grant and send gate reads for the campaign's leads. Pausing or cancelling takes the send gate's
// advisory lock exclusively, like the emergency stop (control.ts): once the transition commits,
// every send of the campaign that passed the gate is already in flight in the ledger and every
// later one is refused, so the API's answer is the acknowledgement for all leads at once.
import { randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { CampaignRow, CampaignStatus } from '../schema-campaigns.js';
import type { Database, JsonbInput } from '../schema.js';
import { SEND_GATE_LOCK } from './control.js';
import { jsonb } from './json.js';
import type { Db } from './leads.js';

/** `cmp_` and 20 base-32 characters: opaque, URL-safe, unguessable. */
export function newCampaignId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  return `cmp_${[...randomBytes(20)].map((b) => alphabet[b & 31]).join('')}`;
}

export async function insertCampaign(db: Db, c: { id: string; name: string; spec: JsonbInput; createdBy: string | null }): Promise<CampaignRow> {
  return db
    .insertInto('campaigns')
    .values({ id: c.id, name: c.name, spec: jsonb(c.spec), created_by: c.createdBy })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function getCampaign(db: Db, id: string): Promise<CampaignRow | undefined> {
  return db.selectFrom('campaigns').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listCampaigns(db: Db, q: { status?: CampaignStatus; limit: number; offset: number }): Promise<CampaignRow[]> {
  let query = db.selectFrom('campaigns').selectAll();
  if (q.status !== undefined) query = query.where('status', '=', q.status);
  return query.orderBy('created_at', 'desc').orderBy('id').limit(q.limit).offset(q.offset).execute();
}

/** Replaces the spec when the caller saw `version` (optimistic: a concurrent PATCH loses, visibly). */
export async function updateCampaignSpec(db: Db, id: string, spec: JsonbInput & { name: string }, version: number): Promise<CampaignRow | undefined> {
  return db
    .updateTable('campaigns')
    .set({ spec: jsonb(spec), name: spec.name, version: sql<number>`version + 1`, updated_at: sql<Date>`now()` })
    .where('id', '=', id)
    .where('version', '=', version)
    .returningAll()
    .executeTakeFirst();
}

/** Which status each action may leave from. Repeating an action is not an error (nothing changes). */
export const TRANSITIONS: Record<'start' | 'pause' | 'resume' | 'cancel', { from: CampaignStatus[]; to: CampaignStatus }> = {
  start: { from: ['draft'], to: 'running' },
  pause: { from: ['running'], to: 'paused' },
  resume: { from: ['paused'], to: 'running' },
  cancel: { from: ['draft', 'running', 'paused'], to: 'cancelling' },
};
export type CampaignAction = keyof typeof TRANSITIONS;

export class CampaignTransitionError extends Error {
  override readonly name = 'CampaignTransitionError';
  constructor(
    readonly action: CampaignAction,
    readonly status: CampaignStatus,
  ) {
    super(`cannot ${action} a campaign that is ${status}`);
  }
}

/**
 * Moves the campaign by `action`. `changed: false` when it already was where the action leads
 * (a repeated pause); CampaignTransitionError when the action does not apply (resume a draft).
 */
export async function transitionCampaign(
  db: Kysely<Database>,
  id: string,
  action: CampaignAction,
  who: { by: string; reason: string | null },
): Promise<{ changed: boolean; row: CampaignRow } | undefined> {
  const t = TRANSITIONS[action];
  return db.transaction().execute(async (trx) => {
    // Pause and cancel hold every send gate off while they commit (see the top of this file).
    if (action === 'pause' || action === 'cancel') await sql`select pg_advisory_xact_lock(${sql.lit(SEND_GATE_LOCK)})`.execute(trx);
    const current = await trx.selectFrom('campaigns').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
    if (current === undefined) return undefined;
    const already = current.status === t.to || (action === 'cancel' && current.status === 'cancelled');
    if (already) return { changed: false, row: current };
    if (!t.from.includes(current.status)) throw new CampaignTransitionError(action, current.status);
    const row = await trx
      .updateTable('campaigns')
      .set({
        status: t.to,
        status_by: who.by,
        status_reason: who.reason,
        status_at: sql<Date>`now()`,
        updated_at: sql<Date>`now()`,
        ...(action === 'start' ? { started_at: sql<Date>`now()` } : {}),
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return { changed: true, row };
  });
}

/** The campaign workflow's last word: finished (every lead ended) or cancelled, with its totals. */
export async function finishCampaign(db: Db, id: string, status: 'finished' | 'cancelled', totals: JsonbInput): Promise<boolean> {
  const r = await db
    .updateTable('campaigns')
    .set({ status, totals: jsonb(totals), finished_at: sql<Date>`now()`, updated_at: sql<Date>`now()` })
    .where('id', '=', id)
    .where('status', 'in', status === 'cancelled' ? ['cancelling'] : ['running', 'paused'])
    // An import that landed after the last count keeps the campaign open (imports lock the row too).
    .where(sql<boolean>`not exists (select 1 from campaign_prospects p where p.campaign_id = ${id} and p.status = 'pending')`)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0 || (await getCampaign(db, id))?.status === status;
}

export async function saveCampaignTotals(db: Db, id: string, totals: JsonbInput): Promise<void> {
  await db
    .updateTable('campaigns')
    .set({ totals: jsonb(totals) })
    .where('id', '=', id)
    .execute();
}

/** Why a campaign in this status holds its leads' sends (paused, cancelling, cancelled), or null. */
export function campaignStatusRefusal(c: { id: string; status: string; status_by: string | null }): string | null {
  if (c.status === 'paused') return `campaign ${c.id} is paused${c.status_by !== null ? ` by ${c.status_by}` : ''}`;
  if (c.status === 'cancelling' || c.status === 'cancelled') return `campaign ${c.id} is cancelled`;
  return null;
}

/** What a slot grant reads before it asks an inbox (activities/inboxes/slots.ts). */
export interface SlotGrantView {
  /** The emergency stop's flag (a plain read: the send gate reads it again under its lock). */
  stopped: boolean;
  /** A resume ramp is set: only then does the grant take a ramp permit (one UPDATE). */
  ramping: boolean;
  /** The lead's campaign: its status and sending window; undefined when it has none. */
  campaign: Pick<CampaignRow, 'id' | 'status' | 'status_by' | 'spec'> | undefined;
}

/** The stop flag, the ramp's presence and the lead's campaign, in one statement. */
export async function slotGrantView(db: Db, leadId: string): Promise<SlotGrantView> {
  const res = await sql<{
    stopped: boolean;
    ramping: boolean;
    id: string | null;
    status: CampaignStatus | null;
    status_by: string | null;
    spec: CampaignRow['spec'] | null;
  }>`select coalesce(sc.stopped, false) as stopped,
      coalesce(sc.ramp is not null and sc.ramp_started_at is not null, false) as ramping,
      c.id, c.status, c.status_by, c.spec
    from (select 1) as one
    left join sending_control sc on sc.id = 1
    left join leads l on l.id = ${leadId}
    left join campaigns c on c.id = l.campaign_id`.execute(db);
  const r = res.rows[0]!;
  const campaign = r.id === null || r.status === null ? undefined : { id: r.id, status: r.status, status_by: r.status_by, spec: r.spec as CampaignRow['spec'] };
  return { stopped: r.stopped, ramping: r.ramping, campaign };
}
