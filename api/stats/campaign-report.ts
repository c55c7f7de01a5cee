// A campaign's A/B report, shared by GET /campaigns/:id/stats and `leadflow campaign stats`: the
// funnel from the database (db/repositories/campaign-stats.ts) laid out along the campaign's spec,
// with each step's verdict on reply rate (domain/campaigns/significance.ts) at the spec's
// significance level.
import type { Kysely } from 'kysely';
import { campaignFunnel, emptyFunnel, getCampaignForStats, type Database, type FunnelCounts } from '../../db/index.js';
import { abVerdict, DEFAULT_ALPHA } from '../../domain/campaigns/significance.js';
import type { CampaignStats, FunnelRates, StepStats } from '../schemas/campaign-stats.js';

const ratio = (n: number, d: number): number | null => (d > 0 ? n / d : null);

export function funnelRates(c: FunnelCounts): FunnelRates {
  return {
    delivery: ratio(c.delivered, c.sent),
    open: ratio(c.opened, c.sent),
    click: ratio(c.clicked, c.sent),
    reply: ratio(c.replied, c.sent),
    interested: ratio(c.interested, c.sent),
    bounce: ratio(c.bounced, c.sent),
    unsubscribe: ratio(c.unsubscribed, c.sent),
    complaint: ratio(c.complained, c.sent),
    openOfDelivered: ratio(c.opened, c.delivered),
    clickOfDelivered: ratio(c.clicked, c.delivered),
  };
}

/** A member of a JSON value, or undefined when it is not an object. */
const member = (o: unknown, key: string): unknown => (typeof o === 'object' && o !== null ? (o as Record<string, unknown>)[key] : undefined);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** The spec's steps as lists of variant ids (the stored spec was validated whole; read defensively all the same). */
function specSteps(spec: unknown): string[][] {
  return list(member(spec, 'steps')).map((step) =>
    list(member(step, 'variants')).map((v) => {
      const vid = member(v, 'id');
      return typeof vid === 'string' ? vid : '';
    }),
  );
}

/** The spec's significance level; the default when it is missing or not a probability. */
function specAlpha(spec: unknown): number {
  const a = member(spec, 'significance');
  return typeof a === 'number' && a > 0 && a < 1 ? a : DEFAULT_ALPHA;
}

/** The report of campaign `id`; null when there is no such campaign. */
export async function buildCampaignStats(db: Kysely<Database>, id: string): Promise<CampaignStats | null> {
  const campaign = await getCampaignForStats(db, id);
  if (campaign === undefined) return null;
  const alpha = specAlpha(campaign.spec);
  const planned = specSteps(campaign.spec);
  const funnel = await campaignFunnel(db, id);

  // Every step and variant of the spec, sent or not (a variant nobody got yet shows zeros), then
  // whatever the outbox holds beyond it (a spec edited after sends): the spec's order first.
  const byStep = new Map<number, Map<string, FunnelCounts>>();
  planned.forEach((ids, i) => byStep.set(i + 1, new Map(ids.map((v) => [v, emptyFunnel()]))));
  for (const { step, variant, ...counts } of funnel.cells) {
    const arms = byStep.get(step) ?? new Map<string, FunnelCounts>();
    // Messages stored without a variant on a one-variant step are that variant's.
    const only = arms.size === 1 ? [...arms.keys()][0] : undefined;
    arms.set(variant === '' && only !== undefined && arms.get(only)?.sent === 0 ? only : variant, counts);
    byStep.set(step, arms);
  }

  const steps: StepStats[] = [...byStep.entries()]
    .sort(([a], [b]) => a - b)
    .map(([step, arms]) => {
      const variants = [...arms.entries()].map(([vid, c]) => ({ id: vid, ...c, rates: funnelRates(c) }));
      const test = abVerdict(
        variants.map((v) => ({ id: v.id, successes: v.replied, trials: v.sent })),
        alpha,
      );
      return { step, variants, test };
    });
  return { campaignId: campaign.id, name: campaign.name, status: campaign.status, steps, totals: { ...funnel.totals, rates: funnelRates(funnel.totals) } };
}
