// A campaign's running totals, counted set-wise from its prospects, its leads' stored statuses and
// its handovers: the campaign workflow polls this instead of hearing from 10,000 leads.
import { sql } from 'kysely';
import type { CampaignProspectRow } from '../schema-campaigns.js';
import type { Db } from './leads.js';

const FINAL = ['replied', 'bounced', 'complained', 'unsubscribed', 'suppressed', 'no_response', 'stopped', 'expired'];

export interface CampaignCounts {
  imported: number;
  started: number;
  skipped: number;
  pending: number;
  sending: number;
  replied: number;
  bounced: number;
  unsubscribed: number;
  handedOver: number;
  finished: number;
}

export async function campaignTotals(db: Db, campaignId: string): Promise<CampaignCounts> {
  const p = await db
    .selectFrom('campaign_prospects')
    .select([
      sql<string>`count(*)`.as('imported'),
      sql<string>`count(*) filter (where status = 'started')`.as('started'),
      sql<string>`count(*) filter (where status = 'skipped')`.as('skipped'),
      sql<string>`count(*) filter (where status = 'pending')`.as('pending'),
    ])
    .where('campaign_id', '=', campaignId)
    .executeTakeFirstOrThrow();
  // Leads of started prospects only: a bare POST /leads naming the campaign is not one of its prospects.
  const l = await db
    .selectFrom('campaign_prospects as p')
    .innerJoin('leads as l', 'l.id', 'p.lead_id')
    .select([
      sql<string>`count(*) filter (where l.status in (${sql.join(FINAL)}))`.as('finished'),
      sql<string>`count(*) filter (where l.status = 'replied')`.as('replied'),
      sql<string>`count(*) filter (where l.status in ('bounced', 'complained'))`.as('bounced'),
      sql<string>`count(*) filter (where l.status = 'unsubscribed')`.as('unsubscribed'),
    ])
    .where('p.campaign_id', '=', campaignId)
    .where('p.status', '=', 'started')
    .executeTakeFirstOrThrow();
  const h = await db
    .selectFrom('handovers')
    .innerJoin('campaign_prospects as p', 'p.lead_id', 'handovers.lead_id')
    .select(sql<string>`count(distinct handovers.lead_id)`.as('n'))
    .where('p.campaign_id', '=', campaignId)
    .executeTakeFirstOrThrow();
  const n = (v: string | number | null | undefined) => Number(v ?? 0);
  const started = n(p.started);
  return {
    imported: n(p.imported),
    started,
    skipped: n(p.skipped),
    pending: n(p.pending),
    // A lead just started may not have stored its row yet: it is sending until it has a final status.
    sending: started - n(l.finished),
    replied: n(l.replied),
    bounced: n(l.bounced),
    unsubscribed: n(l.unsubscribed),
    handedOver: n(h.n),
    finished: n(l.finished),
  };
}

/**
 * The prospects of the campaign's started leads not yet final, after `afterLeadId` in lead ID
 * order: the cancel sweep's page (a deferred lead is stopped with its own input, so the whole row).
 */
export async function stopCandidates(db: Db, campaignId: string, afterLeadId: string, limit: number): Promise<CampaignProspectRow[]> {
  return db
    .selectFrom('campaign_prospects as p')
    .leftJoin('leads as l', 'l.id', 'p.lead_id')
    .selectAll('p')
    .where('p.campaign_id', '=', campaignId)
    .where('p.status', '=', 'started')
    .where('p.lead_id', '>', afterLeadId)
    .where((eb) => eb.or([eb('l.status', 'is', null), eb('l.status', 'not in', FINAL)]))
    .orderBy('p.lead_id')
    .limit(limit)
    .execute();
}

/** Prospects never started when the campaign was cancelled: skipped, with the reason. */
export async function skipPendingProspects(db: Db, campaignId: string, reason: string): Promise<number> {
  const r = await db
    .updateTable('campaign_prospects')
    .set({ status: 'skipped', skip_reason: reason })
    .where('campaign_id', '=', campaignId)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}
