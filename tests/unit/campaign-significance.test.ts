// The A/B verdict's statistics against known values, Holm's procedure, the degenerate cases, and
// properties over arbitrary counts.
//
// Where the reference numbers come from: the pooled two-proportion z-test and the unpooled (Wald)
// interval are the textbook ones (e.g. NIST/SEMATECH e-Handbook 7.3.3; Agresti, Categorical Data
// Analysis 3.1.2). z² is Pearson's χ² of the 2×2 table, so each case is also what R reports for
// prop.test(c(x1, x2), c(n1, n2), correct = FALSE): X-squared = z², the same p-value, and the same
// interval (R adds a continuity term to the interval only when correct = TRUE). The figures below
// were computed independently of this code with Python's statistics.NormalDist (an exact erf-based
// Φ), not by running R; the 45/500 vs 30/500 case is the one the brief quoted as "z≈1.81,
// p≈0.070" — exactly z = 1.800901, p = 0.071719 (χ² = 3.2432).
// Holm's adjusted p-values match R's p.adjust(c(0.01, 0.04, 0.03, 0.005), "holm") = 0.03 0.06 0.06 0.02
// (Holm 1979, by hand: sorted 0.005·4, 0.01·3, 0.03·2, 0.04·1, made monotone).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { abVerdict, holmAdjust, normalCdf, normalQuantile, twoProportionTest } from '../../domain/campaigns/significance.js';

const close = (actual: number, expected: number, tol: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} is not within ${tol} of ${expected}`);

describe('two-proportion z-test', () => {
  const cases = [
    // x1, n1, x2, n2, alpha, z, p, ci
    { x: [45, 500, 30, 500], alpha: 0.05, z: 1.800901, p: 0.0717185, ci: [-0.002597, 0.062597] },
    { x: [60, 400, 30, 400], alpha: 0.05, z: 3.356725, p: 7.88714e-4, ci: [0.031518, 0.118482] },
    { x: [60, 400, 30, 400], alpha: 0.01, z: 3.356725, p: 7.88714e-4, ci: [0.017854, 0.132146] },
    { x: [21, 400, 20, 400], alpha: 0.05, z: 0.160336, p: 0.872616, ci: [-0.02806, 0.03306] },
    // The first two groups of R's own ?prop.test example (smokers 83/86 and 90/93 patients).
    { x: [83, 86, 90, 93], alpha: 0.05, z: -0.097512, p: 0.92232, ci: [-0.055477, 0.050226] },
  ];
  for (const c of cases) {
    const [x1, n1, x2, n2] = c.x as [number, number, number, number];
    test(`${x1}/${n1} vs ${x2}/${n2} at α=${c.alpha}: z ${c.z}, p ${c.p}`, () => {
      const t = twoProportionTest(x1, n1, x2, n2, c.alpha);
      close(t.z, c.z, 1e-6, 'z');
      // errorFunction's relative error is under 1.2e-7.
      close(t.pValue, c.p, c.p * 1e-6 + 1e-9, 'p');
      close(t.ci[0], c.ci[0] ?? 0, 1e-6, 'ci low');
      close(t.ci[1], c.ci[1] ?? 0, 1e-6, 'ci high');
      close(t.diff, x1 / n1 - x2 / n2, 1e-15, 'diff');
      assert.equal(t.testable, true);
    });
  }

  test('Φ and Φ⁻¹ at the usual points (z of 95 % and 99 % two-sided: 1.959964, 2.575829)', () => {
    close(normalQuantile(0.975), 1.959964, 1e-6, 'Φ⁻¹(0.975)');
    close(normalQuantile(0.995), 2.575829, 1e-6, 'Φ⁻¹(0.995)');
    close(normalCdf(1.959964), 0.975, 1e-6, 'Φ(1.96)');
    close(normalCdf(0), 0.5, 1e-7, 'Φ(0)');
  });

  test('empty samples and a pooled rate of 0 or 1 give p = 1, never NaN', () => {
    for (const [x1, n1, x2, n2] of [
      [0, 0, 0, 0],
      [0, 0, 5, 10],
      [0, 100, 0, 100],
      [100, 100, 50, 50],
      [0, 1, 0, 1],
    ] as const) {
      const t = twoProportionTest(x1, n1, x2, n2);
      assert.equal(t.pValue, 1, `${x1}/${n1} vs ${x2}/${n2}`);
      assert.equal(t.z, 0);
      assert.equal(t.testable, false);
      for (const v of [t.pA, t.pB, t.diff, ...t.ci]) assert.ok(Number.isFinite(v));
    }
  });
});

describe('Holm–Bonferroni', () => {
  test("R's p.adjust(c(0.01, 0.04, 0.03, 0.005), 'holm')", () => {
    holmAdjust([0.01, 0.04, 0.03, 0.005]).forEach((p, i) => close(p, [0.03, 0.06, 0.06, 0.02][i] ?? NaN, 1e-12, `p${i}`));
  });
  test('one p-value is its own; adjusted values are capped at 1', () => {
    assert.deepEqual(holmAdjust([0.2]), [0.2]);
    assert.deepEqual(holmAdjust([0.6, 0.7]), [1, 1]);
    assert.deepEqual(holmAdjust([]), []);
  });
});

describe('the verdict', () => {
  const arm = (id: string, successes: number, trials: number) => ({ id, successes, trials });

  test('a clear winner: 60/400 against 30/400', () => {
    const v = abVerdict([arm('A', 60, 400), arm('B', 30, 400)], 0.05);
    assert.equal(v.winner, 'A');
    assert.equal(v.reason, 'A has the highest reply rate and beats every other variant at α=0.05 (p≤0.00079)');
    assert.equal(v.comparisons.length, 1);
  });

  test('the leader can be the second arm; the comparison reads leader vs other', () => {
    const v = abVerdict([arm('A', 30, 400), arm('B', 60, 400)], 0.05);
    assert.equal(v.winner, 'B');
    assert.deepEqual([v.comparisons[0]?.a, v.comparisons[0]?.b], ['B', 'A']);
    assert.ok((v.comparisons[0]?.diff ?? 0) > 0);
  });

  test('no winner without a significant difference, with the p-value in the reason', () => {
    assert.equal(abVerdict([arm('A', 45, 500), arm('B', 30, 500)], 0.05).reason, 'no significant difference at α=0.05 (p=0.072)');
    assert.equal(abVerdict([arm('A', 21, 400), arm('B', 20, 400)]).winner, null);
  });

  test('Holm decides with three arms: each raw p below α is not enough when the family is larger', () => {
    // Leader A 60/400; vs B 41/400 raw p = 0.0431, vs C 40/400 raw p = 0.0325 (both < 0.05).
    // Holm: 0.0325·2 = 0.065, then max(0.065, 0.0431·1) = 0.065: neither survives at 0.05, both at 0.1.
    const three = [arm('A', 60, 400), arm('B', 41, 400), arm('C', 40, 400)];
    const v = abVerdict(three, 0.05);
    assert.equal(v.winner, null);
    assert.ok(v.comparisons.every((c) => c.pValue < 0.05));
    close(v.comparisons[0]?.pValue ?? 0, 0.0431195, 1e-6, 'p vs B');
    close(v.comparisons[1]?.pValue ?? 0, 0.0325094, 1e-6, 'p vs C');
    assert.deepEqual(
      v.comparisons.map((c) => c.adjustedPValue),
      holmAdjust(v.comparisons.map((c) => c.pValue)),
    );
    close(v.comparisons[0]?.adjustedPValue ?? 0, 0.0650189, 1e-6, 'adjusted vs B');
    assert.equal(v.reason, 'no significant winner at α=0.05: A leads but not significantly over B (Holm-adjusted p=0.065)');
    const loose = abVerdict(three, 0.1);
    assert.equal(loose.winner, 'A');
    assert.equal(loose.reason, 'A has the highest reply rate and beats every other variant at α=0.1 (Holm-adjusted p≤0.065)');
  });

  test('one variant, an unsent variant, no replies, and thin samples name no winner', () => {
    assert.equal(abVerdict([arm('A', 5, 10)]).reason, 'one variant: nothing to compare');
    assert.equal(abVerdict([arm('A', 5, 10), arm('B', 0, 0)]).reason, 'not enough data: variant B has not been sent yet');
    assert.match(abVerdict([arm('A', 0, 300), arm('B', 0, 300)]).reason, /^not enough data: no variant has a reply yet/);
    // 4/10 vs 0/10 gives p = 0.025 but expects 2 replies per arm: the normal approximation does not hold.
    const thin = abVerdict([arm('A', 4, 10), arm('B', 0, 10)]);
    assert.equal(thin.winner, null);
    assert.match(thin.reason, /^not enough data: A vs B expects 2\.0 replies or non-replies, under the 5/);
    assert.ok((thin.comparisons[0]?.pValue ?? 1) < 0.05);
  });
});

describe('properties', () => {
  const sample = fc.integer({ min: 0, max: 5000 }).chain((n) => fc.tuple(fc.integer({ min: 0, max: n }), fc.constant(n)));

  test('p-values are in [0, 1], finite, and symmetric in the two arms; z and diff change sign', () => {
    fc.assert(
      fc.property(sample, sample, fc.constantFrom(0.01, 0.05, 0.1), ([x1, n1], [x2, n2], alpha) => {
        const ab = twoProportionTest(x1, n1, x2, n2, alpha);
        const ba = twoProportionTest(x2, n2, x1, n1, alpha);
        assert.ok(ab.pValue >= 0 && ab.pValue <= 1 && Number.isFinite(ab.z));
        assert.equal(ab.pValue, ba.pValue);
        assert.equal(ab.z, -ba.z || 0);
        assert.equal(ab.diff, -ba.diff || 0);
        assert.ok(ab.ci[0] <= ab.ci[1] && ab.ci[0] >= -1 && ab.ci[1] <= 1);
      }),
      { numRuns: 2000 },
    );
  });

  test('a named winner always has the highest rate and every adjusted p below α', () => {
    fc.assert(
      fc.property(fc.array(sample, { minLength: 2, maxLength: 5 }), ([...arms]) => {
        const v = abVerdict(arms.map(([x, n], i) => ({ id: `v${i}`, successes: x, trials: n })));
        for (const c of v.comparisons) assert.ok(c.adjustedPValue >= 0 && c.adjustedPValue <= 1);
        if (v.winner === null) return;
        const rates = arms.map(([x, n]) => x / n);
        assert.equal(rates[Number(v.winner.slice(1))], Math.max(...rates));
        assert.ok(v.comparisons.every((c) => c.a === v.winner && c.adjustedPValue < 0.05));
      }),
      { numRuns: 1000 },
    );
  });
});
