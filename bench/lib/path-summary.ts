// A set of measured runs in figures: latency percentiles, where the time went (means per run, so
// the parts add up to the mean latency), and the path's size (medians per run).
import type { Measured } from './lead-runs.js';
import { dist, mean, pct, r1, type Dist } from './stats.js';

export interface PathSummary {
  latencyMs: Dist;
  /** Means per run, ms: workflow tasks waiting, activities waiting, activities running, the rest. */
  splitMs: { wftQueue: number; activityQueue: number; activityRun: number; rest: number };
  /** Medians per run, up to the first message. */
  perRun: { regularActivities: number; localActivities: number; activities: number; workflowTasks: number; events: number };
}

export function summarise(runs: Measured[]): PathSummary {
  const m = (f: (x: Measured) => number) => r1(mean(runs.map(f)));
  const med = (f: (x: Measured) => number) => pct(runs.map(f), 50);
  const wftQueue = m((x) => x.facts.wftQueueMs);
  const activityQueue = m((x) => x.facts.activityQueueMs);
  const activityRun = m((x) => x.facts.activityRunMs);
  return {
    latencyMs: dist(runs.map((x) => x.latencyMs)),
    splitMs: { wftQueue, activityQueue, activityRun, rest: r1(m((x) => x.latencyMs) - wftQueue - activityQueue - activityRun) },
    perRun: {
      regularActivities: med((x) => x.facts.regularActivities),
      localActivities: med((x) => x.facts.localActivities),
      activities: med((x) => x.facts.regularActivities + x.facts.localActivities),
      workflowTasks: med((x) => x.facts.workflowTasks),
      events: med((x) => x.facts.events),
    },
  };
}

/** Throughput of one phase: runs per second from the first submit to the last first message. */
export function ratePerSecond(runs: Measured[]): number {
  const from = Math.min(...runs.map((x) => x.submittedAt));
  const to = Math.max(...runs.map((x) => x.facts.firstSendAt));
  return runs.length / ((to - from) / 1000);
}
