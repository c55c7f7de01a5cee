// The fan-out benchmark's baseline workflow: it starts and waits, like a campaign lead whose first
// step is an hour away, and does nothing else. A 'stop' signal ends it, as a cancel ends a lead:
// the baseline of the cancel sweep.
import { condition, defineSignal, setHandler } from '@temporalio/workflow';

export const benchStopSignal = defineSignal('stop');

export async function benchWaitWorkflow(): Promise<void> {
  let stopped = false;
  setHandler(benchStopSignal, () => void (stopped = true));
  await condition(() => stopped, '1 hour');
}
