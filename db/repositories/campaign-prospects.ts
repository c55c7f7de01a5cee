// Prospects and their imports. An import is one transaction: its report row and every accepted
// prospect go in together or not at all (nothing half-imported), and the same key or the same
// file content finds the earlier import instead of adding anyone twice. The fan-out reads pending
// prospects in `seq` order and marks each started with its lead ID once its workflow exists.
import { randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { CampaignImportRow, CampaignProspectRow } from '../schema-campaigns.js';
import type { Database } from '../schema.js';
import { jsonb } from './json.js';
import type { Db } from './leads.js';

export interface NewProspect {
  row: number;
  email: string | null;
  emailNorm: string | null;
  phone: string | null;
  firstName: string | null;
  lastName: string | null;
  company: string | null;
  /** The recipient's IANA zone, when the list gave one. */
  timeZone?: string | null;
  fields: Record<string, string>;
}

export interface ImportProblem {
  row: number;
  field: string;
  reason: string;
}

/** An earlier import of the same key, or else of the same bytes, into this campaign. */
export async function findImport(db: Db, campaignId: string, q: { key: string | null; sha256: string }): Promise<CampaignImportRow | undefined> {
  if (q.key !== null) {
    const byKey = await db
      .selectFrom('campaign_imports')
      .selectAll()
      .where('campaign_id', '=', campaignId)
      .where('idempotency_key', '=', q.key)
      .executeTakeFirst();
    if (byKey !== undefined) return byKey;
  }
  return db
    .selectFrom('campaign_imports')
    .selectAll()
    .where('campaign_id', '=', campaignId)
    .where('content_sha256', '=', q.sha256)
    .where((eb) => (q.key === null ? eb.val(true) : eb('idempotency_key', 'is', null)))
    .orderBy('created_at')
    .executeTakeFirst();
}

const CHUNK = 500;

export class CampaignClosedError extends Error {
  override readonly name = 'CampaignClosedError';
  constructor(
    readonly campaignId: string,
    readonly status: string,
  ) {
    super(`campaign ${campaignId} is ${status}: it takes no more prospects`);
  }
}

/**
 * Stores an import and its valid prospects in one transaction. A prospect already in the campaign
 * (same normalised e-mail, or same phone when there is no e-mail) is not added again: it becomes
 * a problem of this import naming the reason, so the report still accounts for every row.
 */
export async function storeImport(
  db: Kysely<Database>,
  imp: { campaignId: string; key: string | null; sha256: string; rows: number; createdBy: string | null },
  valid: NewProspect[],
  invalid: ImportProblem[],
): Promise<{ row: CampaignImportRow; created: boolean }> {
  return db.transaction().execute(async (trx) => {
    // One import per campaign at a time (two concurrent posts of the same file must not both pass
    // findImport), and none into a campaign that has ended: the campaign row is locked, so its
    // workflow cannot mark it finished between this check and the commit.
    await sql`select pg_advisory_xact_lock(hashtext(${`campaign-import:${imp.campaignId}`}))`.execute(trx);
    const campaign = await trx.selectFrom('campaigns').select('status').where('id', '=', imp.campaignId).forUpdate().executeTakeFirst();
    if (campaign === undefined || ['cancelling', 'cancelled', 'finished'].includes(campaign.status))
      throw new CampaignClosedError(imp.campaignId, campaign?.status ?? 'missing');
    const earlier = await findImport(trx, imp.campaignId, { key: imp.key, sha256: imp.sha256 });
    if (earlier !== undefined) return { row: earlier, created: false };
    const id = `imp_${randomBytes(12).toString('hex')}`;
    await trx
      .insertInto('campaign_imports')
      .values({
        id,
        campaign_id: imp.campaignId,
        idempotency_key: imp.key,
        content_sha256: imp.sha256,
        rows: imp.rows,
        accepted: 0,
        invalid: jsonb([]),
        created_by: imp.createdBy,
      })
      .execute();
    const problems = [...invalid];
    let accepted = 0;
    for (let i = 0; i < valid.length; i += CHUNK) {
      const chunk = valid.slice(i, i + CHUNK);
      const inserted = await trx
        .insertInto('campaign_prospects')
        .values(
          chunk.map((p) => ({
            campaign_id: imp.campaignId,
            import_id: id,
            row_number: p.row,
            email: p.email,
            email_norm: p.emailNorm,
            phone: p.phone,
            first_name: p.firstName,
            last_name: p.lastName,
            company: p.company,
            time_zone: p.timeZone ?? null,
            fields: jsonb(p.fields),
          })),
        )
        .onConflict((oc) => oc.doNothing())
        .returning('row_number')
        .execute();
      accepted += inserted.length;
      if (inserted.length < chunk.length) {
        const took = new Set(inserted.map((r) => r.row_number));
        for (const p of chunk)
          if (!took.has(p.row)) problems.push({ row: p.row, field: p.emailNorm !== null ? 'email' : 'phone', reason: 'already a prospect of this campaign' });
      }
    }
    problems.sort((a, b) => a.row - b.row);
    const row = await trx
      .updateTable('campaign_imports')
      .set({ accepted, invalid: jsonb(problems) })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return { row, created: true };
  });
}

/** The next pending prospects after `afterSeq`, in import order. */
export async function pendingProspects(db: Db, campaignId: string, afterSeq: string, limit: number): Promise<CampaignProspectRow[]> {
  return db
    .selectFrom('campaign_prospects')
    .selectAll()
    .where('campaign_id', '=', campaignId)
    .where('status', '=', 'pending')
    .where(sql<boolean>`seq > ${afterSeq}::bigint`)
    .orderBy('seq')
    .limit(limit)
    .execute();
}

/**
 * Names each prospect's lead before its workflow starts: the lead's first draft reads the prospect
 * by lead ID, and may run before the page has marked its prospects started.
 */
export async function assignLeadIds(db: Db, rows: Array<{ seq: string; leadId: string }>): Promise<void> {
  if (rows.length === 0) return;
  const values = sql.join(rows.map((s) => sql`(${s.seq}::bigint, ${s.leadId})`));
  await sql`update campaign_prospects p set lead_id = v.lead_id
            from (values ${values}) as v(seq, lead_id) where p.seq = v.seq and p.status = 'pending'`.execute(db);
}

/** `at`: the fan-out's clock (the daily cap counts started_at on it); default the database's. */
export async function markProspectsStarted(db: Db, started: Array<{ seq: string; leadId: string }>, at?: Date): Promise<void> {
  if (started.length === 0) return;
  const values = sql.join(started.map((s) => sql`(${s.seq}::bigint, ${s.leadId})`));
  const startedAt = at !== undefined ? sql`${at.toISOString()}::timestamptz` : sql`now()`;
  await sql`update campaign_prospects p set status = 'started', lead_id = v.lead_id, started_at = ${startedAt}
            from (values ${values}) as v(seq, lead_id) where p.seq = v.seq and p.status = 'pending'`.execute(db);
}

export async function markProspectSkipped(db: Db, seq: string, reason: string): Promise<void> {
  await db.updateTable('campaign_prospects').set({ status: 'skipped', skip_reason: reason }).where('seq', '=', seq).where('status', '=', 'pending').execute();
}

/** Prospects started since `since` (the daily cap of new leads). */
export async function startedSince(db: Db, campaignId: string, since: Date): Promise<number> {
  const r = await db
    .selectFrom('campaign_prospects')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('campaign_id', '=', campaignId)
    .where('status', '=', 'started')
    .where('started_at', '>=', since)
    .executeTakeFirst();
  return Number(r?.n ?? 0);
}

/** Which of these addresses are active (not finished) leads of another campaign. */
export async function activeElsewhere(db: Db, campaignId: string, emails: string[]): Promise<Set<string>> {
  if (emails.length === 0) return new Set();
  const rows = await db
    .selectFrom('leads')
    .select(sql<string>`lower(trim(email))`.as('e'))
    .where('campaign_id', 'is not', null)
    .where('campaign_id', '!=', campaignId)
    .where(sql<boolean>`lower(trim(email)) in (${sql.join(emails)})`)
    .where('status', 'not in', ['replied', 'bounced', 'complained', 'unsubscribed', 'suppressed', 'no_response', 'stopped', 'expired'])
    .execute();
  return new Set(rows.map((r) => r.e));
}
