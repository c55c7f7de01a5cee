// The fan-out benchmark's baseline workflow: it starts and waits, like a campaign lead whose first
// step is an hour away, and does nothing else.
import { sleep } from '@temporalio/workflow';

export async function benchWaitWorkflow(): Promise<void> {
  await sleep('1 hour');
}
