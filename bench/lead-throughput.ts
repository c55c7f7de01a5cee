// Lead throughput: leads through the real lead worker to their first message accepted (the local
// outbox), against a baseline workflow with the same path (the same activities per workflow task,
// each trivial) on a twin worker with the lead worker's options. Phases alternate (lead, baseline,
// lead, baseline …) so that whatever else the machine does hits both.
// Run: node --import tsx bench/lead-throughput.ts   (BENCH_LEADS=N per phase, default 200; BENCH_ROUNDS=R, default 3)
import type { Runner } from './lib/lead-runs.js';
import { ratePerSecond } from './lib/path-summary.js';
import { row, type SectionResult } from './lib/report.js';
import { isMain, mean, r1, r2 } from './lib/stats.js';

export interface ThroughputOptions {
  /** Leads (and baselines) per phase. */
  perPhase: number;
  /** Lead + baseline pairs. */
  rounds: number;
  /** Starts in flight at once. */
  concurrency: number;
}

export async function leadThroughput(runner: Runner, o: ThroughputOptions): Promise<SectionResult> {
  const rounds: Array<{ lead: number; baseline: number; ratio: number }> = [];
  for (let i = 0; i < o.rounds; i++) {
    const lead = ratePerSecond(await runner.phase('lead', o.perPhase, o.concurrency));
    const baseline = ratePerSecond(await runner.phase('baseline', o.perPhase, o.concurrency));
    rounds.push({ lead: r1(lead), baseline: r1(baseline), ratio: r2(lead / baseline) });
  }
  const lead = r1(mean(rounds.map((x) => x.lead)));
  const baseline = r1(mean(rounds.map((x) => x.baseline)));
  const ratios = rounds.map((x) => x.ratio);
  return {
    id: 'lead-throughput',
    title: 'Lead throughput',
    baseline: "no-op workflow with the lead's path (activities per workflow task), trivial activities, twin worker; phases interleaved",
    params: { ...o, shape: runner.shape },
    rows: [
      row(`leads to first message, ${o.perPhase} per phase × ${o.rounds}`, '/s', lead, baseline, '≥ 0.90 of baseline'),
      row(`phase ratios, lowest`, '', Math.min(...ratios), null),
      row(`phase ratios, highest`, '', Math.max(...ratios), null),
    ],
    detail: { leadsPerSecond: lead, baselinePerSecond: baseline, rounds },
  };
}

if (isMain(import.meta.url)) {
  const { runStandalone } = await import('./lib/standalone.js');
  await runStandalone(async (runner) => [
    await leadThroughput(runner, { perPhase: Number(process.env.BENCH_LEADS ?? 200), rounds: Number(process.env.BENCH_ROUNDS ?? 3), concurrency: 32 }),
  ]);
}
