// Baseline workflows (bundled on their own, run by the benchmarks' baseline workers). They do the
// least a workflow can do in the lead's place, so each ratio shows what the lead's own work costs.
import { proxyActivities, proxyLocalActivities, proxySinks, setHandler, sleep, workflowInfo, type Sinks } from '@temporalio/workflow';
import { pauseSignal, resumeSignal, stateQuery, type LeadState } from '../../workflows/lead/contract.js';
import type { BaselineActivities } from './baseline-activities.js';
import type { Batch } from './history.js';

// The fan-out benchmark's baseline, in this bundle too so one bundle serves every baseline worker.
export { benchWaitWorkflow } from '../noop-workflow.js';

const remote = proxyActivities<BaselineActivities>({ startToCloseTimeout: '30 seconds' });
const local = proxyLocalActivities<BaselineActivities>({ startToCloseTimeout: '30 seconds' });

/**
 * The lead's path to its first message, with every activity trivial: per workflow task, its local
 * activities one after another, then its regular activities together. The last regular activity
 * stands for the send. Then it waits, as a lead waits for its next step.
 */
export async function benchShapeWorkflow(shape: Batch[]): Promise<void> {
  const last = shape.length - 1;
  for (const [i, b] of shape.entries()) {
    for (let k = 0; k < b.local; k++) await local.benchNoop();
    const regular = Array.from({ length: b.regular }, (_, k) => (i === last && k === b.regular - 1 ? 'send' : 'noop'));
    await Promise.all(regular.map((kind) => (kind === 'send' ? remote.benchSend(workflowInfo().workflowId) : remote.benchNoop())));
  }
  await sleep('1 day');
}

export interface BenchSinks extends Sinks {
  bench: { ready(): void };
}
const { bench } = proxySinks<BenchSinks>();

/**
 * A waiting lead's stand-in for the scale baseline: it answers the lead's state query and takes
 * its pause and resume signals (flipping a flag, nothing else), and waits hours for nothing.
 */
export async function benchWaitingWorkflow(): Promise<void> {
  let paused = false;
  setHandler(pauseSignal, () => {
    paused = true;
  });
  setHandler(resumeSignal, () => {
    paused = false;
  });
  setHandler(stateQuery, (): LeadState => ({ leadId: workflowInfo().workflowId, status: paused ? 'paused' : 'waiting', arrivals: 0, stop: null }));
  bench.ready();
  await sleep('6 hours');
}
