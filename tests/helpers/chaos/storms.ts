// Running fault storms against a stand-in for a while: a storm lasts at least its planned time
// and, if it struck nothing by then (nothing was being sent just then: the worker was dead, or
// every lead was waiting), stays on until it strikes once, so every fault kind a run claims to
// inject really reached the product.
import type { FaultKind, FaultStorms, StormOptions } from '../standins/faults.js';
import { sleep } from './report.js';

export interface StormPlan {
  kind: FaultKind;
  durationMs: number;
  opts?: StormOptions;
}

/** One storm of at least `durationMs`, kept on (up to `maxMs` in all) until it injected a fault. Returns the faults injected. */
export async function stormUntilHit(storms: FaultStorms, plan: StormPlan, maxMs = 60_000): Promise<number> {
  const name = plan.opts?.afterAccept === true ? `${plan.kind}+accepted` : plan.kind;
  const before = storms.injected[name] ?? 0;
  const started = Date.now();
  storms.start(plan.kind, maxMs, plan.opts);
  await sleep(plan.durationMs);
  while ((storms.injected[name] ?? 0) === before && Date.now() - started < maxMs) await sleep(100);
  storms.calm();
  return (storms.injected[name] ?? 0) - before;
}

/** Storms one after another with `gapMs` of calm between them (one stand-in: one storm at a time). */
export async function runStorms(storms: FaultStorms, plans: StormPlan[], gapMs: number, maxMs?: number): Promise<void> {
  for (const plan of plans) {
    await stormUntilHit(storms, plan, maxMs);
    await sleep(gapMs);
  }
}

/** `rounds` rounds of one storm of each kind, in a shuffled order each round (seeded: replayable). */
export function stormPlans(
  random: () => number,
  kinds: FaultKind[],
  opts: Partial<Record<FaultKind, StormOptions>>,
  rounds: number,
  durationMs: number,
): StormPlan[] {
  const plans: StormPlan[] = [];
  for (let r = 0; r < rounds; r++) {
    const order = [...kinds].sort(() => random() - 0.5);
    for (const kind of order) plans.push({ kind, durationMs, ...(opts[kind] !== undefined && { opts: opts[kind] }) });
  }
  return plans;
}
