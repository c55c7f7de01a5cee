// The A/B verdict of a campaign step: a two-proportion z-test per comparison and a winner named
// only when the data say so. Pure: the same counts always give the same verdict.
//
// - The test statistic uses the pooled standard error (under H0 both arms share one rate); the
//   confidence interval of p1 − p2 uses the unpooled (Wald) one, as R's prop.test does without
//   continuity correction. z² is Pearson's χ² of the 2×2 table.
// - The normal CDF is simple-statistics' errorFunction (a Chebyshev fit with relative error under
//   1.2e-7 in its tail), not cumulativeStdNormalProbability: that one is a 4-decimal table in
//   steps of 0.01, so every p-value below 0.002 would read 0.002 and Holm would work on rounding.
// - The leader (highest rate) is compared with every other arm; Holm–Bonferroni adjusts those
//   k − 1 p-values, so a step with many arms does not crown a winner by sheer number of tries.
// - The normal approximation is only trusted with at least 5 expected successes and failures
//   per arm under the pooled rate (the textbook rule); below that the verdict says so.
import { errorFunction, probit } from 'simple-statistics';

/** One arm's count: `successes` of `trials` (e.g. leads who replied of leads sent). */
export interface Arm {
  id: string;
  successes: number;
  trials: number;
}

export interface TwoProportionTest {
  pA: number;
  pB: number;
  /** pA − pB */
  diff: number;
  /** The (1 − α) confidence interval of pA − pB, clipped to [−1, 1]. */
  ci: [number, number];
  z: number;
  /** Two-sided. */
  pValue: number;
  /** False when an arm is empty or the pooled rate is 0 or 1: then z = 0 and pValue = 1. */
  testable: boolean;
  /** The smallest expected count (successes or failures of either arm) under the pooled rate. */
  minExpected: number;
}

export interface Comparison extends Omit<TwoProportionTest, 'testable' | 'minExpected'> {
  a: string;
  b: string;
  adjustedPValue: number;
}

export interface Verdict {
  metric: 'reply_rate';
  alpha: number;
  comparisons: Comparison[];
  winner: string | null;
  reason: string;
}

/** The rule of thumb for the normal approximation of a binomial: n·p and n·(1 − p) of at least 5. */
export const MIN_EXPECTED = 5;
export const DEFAULT_ALPHA = 0.05;

const SQRT_2PI = Math.sqrt(2 * Math.PI);

/** Φ(z), the standard normal CDF. */
export const normalCdf = (z: number): number => 0.5 * (1 + errorFunction(z / Math.SQRT2));

/** Two-sided tail probability of |z|: erfc(|z|/√2), computed from the tail directly. */
const twoSidedP = (z: number): number => Math.min(1, Math.max(0, 1 - errorFunction(Math.abs(z) / Math.SQRT2)));

/**
 * Φ⁻¹(p). simple-statistics' probit is Winitzki's closed form (1.9572 for 0.975, not 1.95996);
 * two Newton steps on the erf-based Φ bring it to that function's own accuracy.
 */
export function normalQuantile(p: number): number {
  let x = probit(p);
  for (let i = 0; i < 2; i += 1) {
    const density = Math.exp((-x * x) / 2) / SQRT_2PI;
    if (density === 0) break;
    x -= (normalCdf(x) - p) / density;
  }
  return x;
}

const clip = (v: number): number => Math.min(1, Math.max(-1, v));

/** Two-proportion z-test of xA/nA against xB/nB, with a (1 − α) interval for the difference. */
export function twoProportionTest(xA: number, nA: number, xB: number, nB: number, alpha = DEFAULT_ALPHA): TwoProportionTest {
  const pA = nA > 0 ? xA / nA : 0;
  const pB = nB > 0 ? xB / nB : 0;
  const diff = pA - pB;
  if (nA <= 0 || nB <= 0) return { pA, pB, diff, ci: [-1, 1], z: 0, pValue: 1, testable: false, minExpected: 0 };
  const pooled = (xA + xB) / (nA + nB);
  const q = normalQuantile(1 - alpha / 2);
  const seUnpooled = Math.sqrt((pA * (1 - pA)) / nA + (pB * (1 - pB)) / nB);
  const ci: [number, number] = [clip(diff - q * seUnpooled), clip(diff + q * seUnpooled)];
  const minExpected = Math.min(nA, nB) * Math.min(pooled, 1 - pooled);
  // Nobody or everybody succeeded: the arms cannot differ in this sample, and the SE is 0.
  if (pooled <= 0 || pooled >= 1) return { pA, pB, diff, ci, z: 0, pValue: 1, testable: false, minExpected };
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / nA + 1 / nB));
  const z = diff / se;
  return { pA, pB, diff, ci, z, pValue: twoSidedP(z), testable: true, minExpected };
}

/** Holm–Bonferroni adjusted p-values, in the input's order (step-down, made monotone, capped at 1). */
export function holmAdjust(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = pValues.map((p, i) => ({ p, i })).sort((x, y) => x.p - y.p);
  const adjusted = new Array<number>(m).fill(1);
  let running = 0;
  order.forEach(({ p, i }, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * p));
    adjusted[i] = running;
  });
  return adjusted;
}

const fmtP = (p: number): string => (p < 0.0001 ? p.toExponential(1) : String(Number(p.toPrecision(2))));

/** The verdict on the arms of one step: the leader wins only if it beats every other arm after Holm. */
export function abVerdict(arms: readonly Arm[], alpha = DEFAULT_ALPHA): Verdict {
  const base = { metric: 'reply_rate' as const, alpha };
  if (arms.length < 2) return { ...base, comparisons: [], winner: null, reason: 'one variant: nothing to compare' };
  const rate = (a: Arm) => (a.trials > 0 ? a.successes / a.trials : -1);
  // Ties keep the spec's order, so the same counts always name the same leader.
  const leader = arms.reduce((best, a) => (rate(a) > rate(best) ? a : best));
  const others = arms.filter((a) => a !== leader);
  const tests = others.map((o) => twoProportionTest(leader.successes, leader.trials, o.successes, o.trials, alpha));
  const adjusted = holmAdjust(tests.map((t) => t.pValue));
  const comparisons = tests.map(({ testable: _t, minExpected: _m, ...t }, i) => ({
    a: leader.id,
    b: others[i]?.id ?? '',
    ...t,
    adjustedPValue: adjusted[i] ?? 1,
  }));
  const verdict = (winner: string | null, reason: string): Verdict => ({ ...base, comparisons, winner, reason });

  const empty = arms.find((a) => a.trials <= 0);
  if (empty !== undefined) return verdict(null, `not enough data: variant ${empty.id} has not been sent yet`);
  if (tests.some((t) => !t.testable)) return verdict(null, 'not enough data: no variant has a reply yet, or every lead replied');
  const thin = tests.findIndex((t) => t.minExpected < MIN_EXPECTED);
  if (thin >= 0) {
    const expected = tests[thin]?.minExpected ?? 0;
    return verdict(
      null,
      `not enough data: ${leader.id} vs ${others[thin]?.id} expects ${expected.toFixed(1)} replies or non-replies, under the ${MIN_EXPECTED} the normal approximation needs`,
    );
  }
  const worst = Math.max(...adjusted);
  if (worst < alpha) {
    const label = others.length > 1 ? 'Holm-adjusted p' : 'p';
    return verdict(leader.id, `${leader.id} has the highest reply rate and beats every other variant at α=${alpha} (${label}≤${fmtP(worst)})`);
  }
  if (others.length === 1) return verdict(null, `no significant difference at α=${alpha} (p=${fmtP(worst)})`);
  const blocking = others[adjusted.indexOf(worst)]?.id;
  return verdict(null, `no significant winner at α=${alpha}: ${leader.id} leads but not significantly over ${blocking} (Holm-adjusted p=${fmtP(worst)})`);
}
