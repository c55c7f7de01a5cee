// Lead latency, submit → first message accepted: one lead at a time, and every lead of a burst
// started at once; beside the same for the baseline workflow (the lead's path, trivial activities).
// The time is split with the histories' timestamps: workflow tasks waiting for the worker
// (WorkflowTaskScheduled → Started), activities waiting (ActivityTaskScheduled → Started),
// activities running (Started → Completed), and the rest (client → server, workflow code, local
// activities, history writes). The histories also give the path's size per lead.
// Run: node --import tsx bench/lead-latency.ts   (BENCH_SINGLE=N, default 100; BENCH_BURST=B, default 300)
import type { Measured, Runner } from './lib/lead-runs.js';
import { summarise, type PathSummary } from './lib/path-summary.js';
import { row, type Row, type SectionResult } from './lib/report.js';
import { isMain } from './lib/stats.js';

export interface LatencyOptions {
  /** Leads one at a time (and as many baselines, alternating). */
  single: number;
  /** Leads started at once (then as many baselines). */
  burst: number;
  concurrency: number;
}

function latencyRows(label: string, lead: PathSummary, base: PathSummary, p95Target: string): Row[] {
  const l = lead.latencyMs;
  const b = base.latencyMs;
  return [
    row(`${label}: p50`, 'ms', l.p50, b.p50),
    row(`${label}: p95`, 'ms', l.p95, b.p95, p95Target),
    row(`${label}: p99`, 'ms', l.p99, b.p99),
    row(`${label}: workflow-task queueing (mean)`, 'ms', lead.splitMs.wftQueue, base.splitMs.wftQueue),
    row(`${label}: activity queueing (mean)`, 'ms', lead.splitMs.activityQueue, base.splitMs.activityQueue),
    row(`${label}: activity run time (mean)`, 'ms', lead.splitMs.activityRun, base.splitMs.activityRun),
    row(`${label}: the rest (mean)`, 'ms', lead.splitMs.rest, base.splitMs.rest),
  ];
}

export async function leadLatency(runner: Runner, o: LatencyOptions): Promise<SectionResult> {
  const single: Record<'lead' | 'baseline', Measured[]> = { lead: [], baseline: [] };
  for (let i = 0; i < o.single; i++) {
    single.lead.push(await runner.single('lead'));
    single.baseline.push(await runner.single('baseline'));
  }
  const burstLead = await runner.phase('lead', o.burst, o.concurrency);
  const burstBase = await runner.phase('baseline', o.burst, o.concurrency);
  const s = { lead: summarise(single.lead), baseline: summarise(single.baseline) };
  const b = { lead: summarise(burstLead), baseline: summarise(burstBase) };
  const p = s.lead.perRun;
  const q = s.baseline.perRun;
  return {
    id: 'lead-latency',
    title: 'Lead latency, submit → first message accepted',
    baseline: "no-op workflow with the lead's path, trivial activities, twin worker",
    params: { ...o, shape: runner.shape },
    rows: [
      ...latencyRows(`one at a time (${o.single})`, s.lead, s.baseline, 'p95 ≤ 300 ms'),
      ...latencyRows(`burst of ${o.burst}`, b.lead, b.baseline, ''),
      row('regular activities per lead to first message', '', p.regularActivities, q.regularActivities),
      row(`local activities per lead to first message`, '', p.localActivities, q.localActivities),
      row('activities per lead to first message, all', '', p.activities, q.activities, '≤ 5 (today 12)'),
      row('workflow tasks per lead (through the send)', '', p.workflowTasks, q.workflowTasks, '≤ 5 (today 13)'),
      row('history events per lead (through the send)', '', p.events, q.events, '(today 84)'),
    ],
    detail: { single: s, burst: b },
  };
}

if (isMain(import.meta.url)) {
  const { runStandalone } = await import('./lib/standalone.js');
  await runStandalone(async (runner) => [
    await leadLatency(runner, { single: Number(process.env.BENCH_SINGLE ?? 100), burst: Number(process.env.BENCH_BURST ?? 300), concurrency: 32 }),
  ]);
}
