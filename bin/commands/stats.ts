// `leadflow stats [--since <ISO time>] [--json]`: the operators' morning check in a terminal —
// the same report as GET /stats (read from the database): per inbox and in total, sends,
// deliveries, bounces (hard/soft/block), complaints, replies, the bounce and complaint rates, each
// inbox's health, and the emergency stop.
import type { Command } from 'commander';
import type { InboxStats, StatsReport } from '../../api/schemas/stats.js';

const pct = (r: number | null) => (r === null ? '-' : `${(r * 100).toFixed(1)}%`);

type Row = Omit<InboxStats, 'inboxId' | 'channel' | 'implicit' | 'health' | 'paused'> & { name: string; health: string; state: string };

function table(report: StatsReport): string {
  const rows: Row[] = [
    ...report.inboxes.map((i) => ({
      ...i,
      name: i.implicit ? `${i.inboxId} (implicit)` : i.inboxId,
      health: i.health === null ? '-' : String(i.health),
      state: i.paused ? 'paused' : '',
    })),
    { ...report.total, name: 'TOTAL', health: '', state: '' },
  ];
  const head = ['inbox', 'sent', 'delivered', 'hard', 'soft', 'block', 'complaints', 'replies', 'bounce%', 'complaint%', 'health', ''];
  const cells = rows.map((r) => [
    r.name,
    ...[r.sends, r.deliveries, r.bounces.hard, r.bounces.soft, r.bounces.block, r.complaints, r.replies].map(String),
    pct(r.bounceRate),
    pct(r.complaintRate),
    r.health,
    r.state,
  ]);
  const widths = head.map((h, c) => Math.max(h.length, ...cells.map((row) => row[c]?.length ?? 0)));
  // Names left, figures right: columns of numbers read best aligned on their last digit.
  const line = (row: string[]) =>
    row
      .map((v, c) => (c === 0 || c === row.length - 1 ? v.padEnd(widths[c] ?? 0) : v.padStart(widths[c] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(head), ...cells.map(line)].join('\n');
}

function stopLine(c: StatsReport['control']): string {
  return c.stopped ? `SENDING STOPPED since ${c.stoppedAt} by ${c.stoppedBy}: ${c.reason}` : 'sending is running (no emergency stop)';
}

export function registerStats(program: Command): void {
  program
    .command('stats')
    .description("the morning check: today's sends, deliveries, bounces, complaints, replies and rates per inbox, and the emergency stop")
    .option('--since <time>', 'count from this ISO-8601 time (default: 00:00 UTC today)')
    .option('--json', 'print the report as JSON (the shape of GET /stats)')
    .action(async (o: { since?: string; json?: boolean }) => {
      const since = o.since === undefined ? null : new Date(o.since);
      if (since !== null && (Number.isNaN(since.getTime()) || !/^\d{4}-\d\d-\d\dT/.test(o.since ?? '')))
        throw new Error(`--since must be an ISO-8601 time such as 2026-12-01T00:00:00Z, not ${o.since}`);
      const [{ buildStats, startOfUtcDay }, { withDb }] = await Promise.all([import('../../api/stats/report.js'), import('../lib/clients.js')]);
      const report = await withDb('stats', (db) => buildStats(db, since ?? startOfUtcDay(Date.now())));
      if (o.json) return void console.log(JSON.stringify(report, null, 2));
      console.log(`since ${report.since} (until ${report.until})\n\n${table(report)}\n\n${stopLine(report.control)}`);
    });
}
