// Per-inbox gauges, read from the database at scrape time: the API process sends nothing and runs
// no inbox workflow, so only the database knows these figures there. Labelled by `inbox`:
//
//   leadflow_inbox_sends_today          messages sent since 00:00 UTC
//   leadflow_inbox_deliveries_today     delivery reports since 00:00 UTC (SendGrid, Twilio)
//   leadflow_inbox_bounces_today        bounces since 00:00 UTC, by kind (hard | soft | block)
//   leadflow_inbox_complaints_today     spam complaints since 00:00 UTC
//   leadflow_inbox_replies_today        replies since 00:00 UTC
//   leadflow_inbox_health               health score 0-100 as last saved by the inbox workflow
//   leadflow_inbox_daily_limit          today's limit (ramp, cap, health cut)
//   leadflow_inbox_remaining_today      slots still to grant today
//   leadflow_inbox_paused               1 while the inbox is paused
//
// The "today" figures are gauges, not counters: they restart at 0 every UTC midnight, and a
// counter that resets on a clock would read as a process restart to rate(). Sources as GET /stats
// (see db/repositories/stats.ts); one snapshot serves the whole scrape.
import type { Kysely } from 'kysely';
import { Gauge } from 'prom-client';
import { singleMetric } from '../../config/metrics.js';
import { inboxActivity, type ActivityCounts, type Database } from '../../db/index.js';
import { IMPLICIT_IDS, inboxRoster, startOfUtcDay, storedStatus } from './report.js';

interface InboxFigures {
  health: number;
  dailyLimit: number;
  remaining: number;
  paused: boolean;
}
interface Snapshot {
  /** Every inbox: the registry's, the implicit two, and any other id with activity (an idle inbox shows 0, not nothing). */
  inboxes: string[];
  activity: Map<string, ActivityCounts>;
  status: Map<string, InboxFigures>;
}

// prom-client keeps one gauge per process; the API that registered last is the one it reads.
let metricDb: Kysely<Database> | null = null;
let cached: { at: number; snapshot: Promise<Snapshot | null> } | null = null;

async function read(db: Kysely<Database>, now: number): Promise<Snapshot> {
  const [roster, activity] = await Promise.all([inboxRoster(db), inboxActivity(db, startOfUtcDay(now), IMPLICIT_IDS)]);
  const status = new Map(
    roster.map((e) => {
      const s = storedStatus(e, now);
      return [e.inboxId, { health: s.health.score, dailyLimit: s.dailyLimit, remaining: s.remainingToday, paused: s.pause !== null }] as const;
    }),
  );
  return { inboxes: [...new Set([...status.keys(), ...activity.keys()])], activity, status };
}

/** The figures of this scrape: every gauge's collect() asks, the database is read once (null when it cannot be). */
function snapshot(): Promise<Snapshot | null> {
  const db = metricDb;
  if (db === null) return Promise.resolve(null);
  const now = Date.now();
  if (cached === null || now - cached.at > 1000) cached = { at: now, snapshot: read(db, now).catch(() => null) };
  return cached.snapshot;
}

function gauge(name: string, help: string, fill: (g: Gauge<string>, s: Snapshot) => void, labelNames: string[] = ['inbox']) {
  return singleMetric(
    name,
    () =>
      new Gauge({
        name,
        help,
        labelNames,
        async collect() {
          const s = await snapshot();
          // Inboxes come and go, and a failed read must not leave the last values standing.
          this.reset();
          if (s !== null) fill(this, s);
        },
      }),
  );
}

const activityGauge = (name: string, help: string, key: keyof ActivityCounts) =>
  gauge(name, `${help} since 00:00 UTC, per inbox (from the database at scrape time)`, (g, s) => {
    for (const inbox of s.inboxes) g.set({ inbox }, s.activity.get(inbox)?.[key] ?? 0);
  });

const statusGauge = (name: string, help: string, value: (v: InboxFigures) => number) =>
  gauge(name, `${help}, per inbox (as last saved by the inbox workflow, read at scrape time)`, (g, s) => {
    for (const [inbox, v] of s.status) g.set({ inbox }, value(v));
  });

/** Registers the gauges (once per process) and points them at this API's database. */
export function inboxGauges(db: Kysely<Database>): () => void {
  activityGauge('leadflow_inbox_sends_today', 'Messages sent', 'sends');
  activityGauge('leadflow_inbox_deliveries_today', 'Delivery reports (SendGrid, Twilio)', 'deliveries');
  activityGauge('leadflow_inbox_complaints_today', 'Spam complaints', 'complaints');
  activityGauge('leadflow_inbox_replies_today', 'Replies', 'replies');
  gauge(
    'leadflow_inbox_bounces_today',
    'Bounces since 00:00 UTC, per inbox and kind: hard, soft (retried) or block (the receiver refused us)',
    (g, s) => {
      for (const inbox of s.inboxes) {
        const c = s.activity.get(inbox);
        g.set({ inbox, kind: 'hard' }, c?.hardBounces ?? 0);
        g.set({ inbox, kind: 'soft' }, c?.softBounces ?? 0);
        g.set({ inbox, kind: 'block' }, c?.blockBounces ?? 0);
      }
    },
    ['inbox', 'kind'],
  );
  statusGauge('leadflow_inbox_health', 'Health score 0-100 (bounce 40, complaint 30, reply 20, age 10)', (v) => v.health);
  statusGauge('leadflow_inbox_daily_limit', "Today's send limit (warm-up ramp, daily cap, health cut)", (v) => v.dailyLimit);
  statusGauge('leadflow_inbox_remaining_today', 'Send slots still to grant today', (v) => v.remaining);
  statusGauge('leadflow_inbox_paused', '1 while the inbox is paused (by an operator or by its health), else 0', (v) => (v.paused ? 1 : 0));
  metricDb = db;
  cached = null;
  return () => {
    if (metricDb === db) {
      metricDb = null;
      cached = null;
    }
  };
}
