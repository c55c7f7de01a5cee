// Gauges the alerts and the Grafana dashboard need that no running code counts as it goes, so they
// are read from the database at scrape time (like the per-inbox gauges in metrics.ts):
//
//   leadflow_quarantine_open          open quarantine items: the "quarantine growing" alert takes
//                                     its delta, since a counter of arrivals never shows retries
//                                     draining it
//   leadflow_campaign_leads{campaign, figure}
//                                     each campaign's running totals (imported, started, skipped,
//                                     pending, sending, replied, bounced, unsubscribed, handedOver,
//                                     finished) as its campaign workflow last saved them in
//                                     campaigns.totals: the dashboard's per-campaign panels
//
// Finished and cancelled campaigns are left out: their totals no longer move and every one kept
// would be another series forever.
import type { Kysely } from 'kysely';
import { Gauge } from 'prom-client';
import { singleMetric } from '../../config/metrics.js';
import { countOpenQuarantine, type Database } from '../../db/index.js';

// prom-client keeps one gauge per process; the API that registered last is the one it reads.
let metricDb: Kysely<Database> | null = null;

async function campaignTotals(db: Kysely<Database>): Promise<Array<{ id: string; totals: Record<string, unknown> }>> {
  const rows = await db.selectFrom('campaigns').select(['id', 'totals']).where('status', 'not in', ['finished', 'cancelled']).execute();
  return rows.map((r) => ({ id: r.id, totals: r.totals ?? {} }));
}

/** Registers the gauges (once per process) and points them at this API's database. */
export function opsGauges(db: Kysely<Database>): () => void {
  singleMetric(
    'leadflow_quarantine_open',
    () =>
      new Gauge({
        name: 'leadflow_quarantine_open',
        help: 'Open quarantine items (input that could not become a lead), read from the database at scrape time',
        async collect() {
          if (metricDb === null) return;
          this.set(await countOpenQuarantine(metricDb).catch(() => Number.NaN));
        },
      }),
  );
  singleMetric(
    'leadflow_campaign_leads',
    () =>
      new Gauge({
        name: 'leadflow_campaign_leads',
        help: 'Running totals of each campaign that is not finished or cancelled, by figure (as its workflow last saved them in campaigns.totals)',
        labelNames: ['campaign', 'figure'] as const,
        async collect() {
          // Campaigns come and go, and a failed read must not leave the last values standing.
          this.reset();
          if (metricDb === null) return;
          const rows = await campaignTotals(metricDb).catch(() => []);
          for (const { id, totals } of rows)
            for (const [figure, value] of Object.entries(totals)) if (typeof value === 'number') this.set({ campaign: id, figure }, value);
        },
      }),
  );
  metricDb = db;
  return () => {
    if (metricDb === db) metricDb = null;
  };
}
