// SIGKILLing the worker at random moments, each followed by a restart after a random time dead.
// Every third kill first waits (briefly) for the worst moment for exactly-once, a provider holding
// an accepted message's answer; the others land wherever the worker happens to be: drafting,
// enriching, writing the DB, between tasks.
import { sleep } from './report.js';
import type { WorkerProcess } from './worker.js';

export interface KillPlan {
  kills: number;
  /** Time between a restart and the next kill. */
  gapMs: readonly [number, number];
  /** Time the worker stays dead. */
  deadMs: readonly [number, number];
}

/** Resolves after the last restart; returns how many kills struck while `midCall()` was true. */
export async function killRepeatedly(
  worker: WorkerProcess,
  plan: KillPlan,
  between: (range: readonly [number, number]) => number,
  midCall: () => boolean,
): Promise<number> {
  let killsMidCall = 0;
  for (let k = 0; k < plan.kills; k++) {
    await sleep(between(plan.gapMs));
    if (k % 3 === 2) for (let t = 0; t < 400 && !midCall(); t++) await sleep(20);
    if (midCall()) killsMidCall += 1;
    await worker.kill();
    await sleep(between(plan.deadMs));
    await worker.start();
  }
  return killsMidCall;
}
