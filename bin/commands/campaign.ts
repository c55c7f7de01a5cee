// `leadflow campaign <subcommand>`: outbound campaigns. Each subcommand is one function that adds
// itself to the group, so a new one is a function and a line in SUBCOMMANDS. create, list, show,
// start/pause/resume/cancel and import go through the HTTP API (campaign-manage.ts,
// campaign-import.ts: LEADFLOW_API_URL and LEADFLOW_API_KEY); stats reads the database.
//
// `campaign stats ID [--json]`: the A/B report of GET /campaigns/:id/stats, read from the database
// like `leadflow stats`: per step, each variant's funnel (distinct leads) and rates over sent,
// then the step's verdict on reply rate at the campaign's significance level.
import type { Command } from 'commander';
import type { CampaignStats, StepStats } from '../../api/schemas/campaign-stats.js';
import { importCommand } from './campaign-import.js';
import { manageCommands } from './campaign-manage.js';

const pct = (r: number | null) => (r === null ? '-' : `${(r * 100).toFixed(1)}%`);
const num = (v: number) => (Math.abs(v) < 0.0001 && v !== 0 ? v.toExponential(1) : v.toFixed(4));

type Funnel = CampaignStats['totals'];

function table(rows: Array<{ name: string; f: Funnel }>): string {
  const head = [
    'variant',
    'sent',
    'delivered',
    'opened',
    'clicked',
    'replied',
    'interested',
    'bounced',
    'unsub',
    'complaints',
    'reply%',
    'interest%',
    'bounce%',
  ];
  const cells = rows.map(({ name, f }) => [
    name,
    ...[f.sent, f.delivered, f.opened, f.clicked, f.replied, f.interested, f.bounced, f.unsubscribed, f.complained].map(String),
    pct(f.rates.reply),
    pct(f.rates.interested),
    pct(f.rates.bounce),
  ]);
  const widths = head.map((h, c) => Math.max(h.length, ...cells.map((row) => row[c]?.length ?? 0)));
  // Names left, figures right: columns of numbers read best aligned on their last digit.
  const line = (row: string[]) =>
    row
      .map((v, c) => (c === 0 ? v.padEnd(widths[c] ?? 0) : v.padStart(widths[c] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(head), ...cells.map(line)].join('\n');
}

function stepText(s: StepStats): string {
  const lines = [`step ${s.step}`, table(s.variants.map((v) => ({ name: v.id === '' ? '(none)' : v.id, f: v })))];
  for (const c of s.test.comparisons) {
    const ci = `[${(c.ci[0] ?? 0).toFixed(4)}, ${(c.ci[1] ?? 0).toFixed(4)}]`;
    lines.push(
      `  ${c.a} vs ${c.b}: diff ${num(c.diff)} ${Math.round((1 - s.test.alpha) * 100)}% CI ${ci}  z ${c.z.toFixed(2)}  p ${num(c.pValue)}  adjusted ${num(c.adjustedPValue)}`,
    );
  }
  lines.push(`  ${s.test.winner === null ? 'no winner' : `winner ${s.test.winner}`}: ${s.test.reason}`);
  return lines.join('\n');
}

function stats(group: Command): void {
  group
    .command('stats <id>')
    .description("a campaign's funnel per step and A/B variant, and each step's verdict on reply rate")
    .option('--json', 'print the report as JSON (the shape of GET /campaigns/:id/stats)')
    .action(async (id: string, o: { json?: boolean }) => {
      const [{ buildCampaignStats }, { withDb }] = await Promise.all([import('../../api/stats/campaign-report.js'), import('../lib/clients.js')]);
      const report = await withDb('campaign', (db) => buildCampaignStats(db, id));
      if (report === null) throw new Error(`no campaign ${id}`);
      if (o.json) return void console.log(JSON.stringify(report, null, 2));
      const parts = [`campaign ${report.campaignId} (${report.name}, ${report.status})`, ...report.steps.map(stepText)];
      parts.push(`all steps (distinct leads)\n${table([{ name: 'TOTAL', f: report.totals }])}`);
      console.log(parts.join('\n\n'));
    });
}

const SUBCOMMANDS: Array<(group: Command) => void> = [manageCommands, importCommand, stats];

export function registerCampaign(program: Command): void {
  const group = program.command('campaign').description('outbound campaigns: define, import prospects, steer, A/B stats');
  for (const add of SUBCOMMANDS) add(group);
}
