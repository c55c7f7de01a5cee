// Lead throughput: leads through the real lead worker to their first message accepted (the local
// outbox), against a baseline workflow with the same path (the same activities per workflow task,
// each trivial) on a twin worker with the lead worker's options. Phases alternate (lead, baseline,
// lead, baseline …) so that whatever else the machine does hits both.
// Run: node --import tsx bench/lead-throughput.ts   (BENCH_LEADS=N per phase, default 200; BENCH_ROUNDS=R, default 3)
import { CPU_GROUP_NAMES, CPU_GROUPS, CpuTally, type CpuSeconds } from './lib/cpu-meter.js';
import type { Kind, Runner } from './lib/lead-runs.js';
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
  // CPU per run by process, summed over the phases of a kind: where the lead's extra cost is.
  const cpu: Record<Kind, CpuTally> = { lead: new CpuTally(), baseline: new CpuTally() };
  const phase = async (kind: Kind): Promise<number> => ratePerSecond(await cpu[kind].measure(() => runner.phase(kind, o.perPhase, o.concurrency)));
  for (let i = 0; i < o.rounds; i++) {
    const lead = await phase('lead');
    const baseline = await phase('baseline');
    rounds.push({ lead: r1(lead), baseline: r1(baseline), ratio: r2(lead / baseline) });
  }
  const runs = o.perPhase * o.rounds;
  const perRun = (kind: Kind, pick: (c: CpuSeconds) => number): number | null => {
    const c = cpu[kind].sum;
    return c === null ? null : r1((pick(c) * 1000) / runs);
  };
  const all = (c: CpuSeconds): number => CPU_GROUPS.reduce((n, g) => n + c[g], 0);
  const cpuRows = [
    ...CPU_GROUPS.map((g) =>
      row(
        `CPU per run (to idle), ${CPU_GROUP_NAMES[g]}`,
        'ms',
        perRun('lead', (c) => c[g]),
        perRun('baseline', (c) => c[g]),
      ),
    ),
    row('CPU per run (to idle), all of them', 'ms', perRun('lead', all), perRun('baseline', all)),
  ];
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
      ...cpuRows,
    ],
    detail: { leadsPerSecond: lead, baselinePerSecond: baseline, rounds, cpuSeconds: { lead: cpu.lead.sum, baseline: cpu.baseline.sum } },
  };
}

if (isMain(import.meta.url)) {
  const { runStandalone } = await import('./lib/standalone.js');
  await runStandalone(async (runner) => [
    await leadThroughput(runner, { perPhase: Number(process.env.BENCH_LEADS ?? 200), rounds: Number(process.env.BENCH_ROUNDS ?? 3), concurrency: 32 }),
  ]);
}
