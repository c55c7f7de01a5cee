// Lead scoring: weight overrides, clamping, determinism, and properties over random leads and weights.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { DEFAULT_SCORING_WEIGHTS, scoreLead, tierFor, type ScoringInput } from '../../workflows/policy/scoring.js';
import { NOW, hoursAgo, daysAhead, emptyLead, timeframe, rules } from '../helpers/scoring-fixtures.js';

describe('weights, clamping, determinism', () => {
  test('overrides change points and thresholds', () => {
    const lead = { ...emptyLead(), customer: { ...emptyLead().customer, firstName: 'Jane', comments: 'hi' } };
    assert.deepEqual(scoreLead(lead, { contactName: 30, comments: 15, warmThreshold: 40 }, NOW).tier, 'warm');
    assert.deepEqual(scoreLead(lead, { contactName: 30, comments: 15, hotThreshold: 45 }, NOW).tier, 'hot');
    assert.deepEqual(rules(scoreLead(lead, { comments: 0 }, NOW)), ['contact.name:5'], 'a zero weight drops the reason');
    assert.deepEqual(rules(scoreLead(lead, { contactName: 2.6, comments: Number.NaN }, NOW)), ['contact.name:3']);
  });

  test('the score is clamped; the reasons keep the raw sum', () => {
    const lead = { ...emptyLead(), customer: { ...emptyLead().customer, firstName: 'Jane', comments: 'hi' } };
    const high = scoreLead(lead, { contactName: 80, comments: 70 }, NOW);
    assert.deepEqual([high.score, high.tier, high.reasons.reduce((s, r) => s + r.points, 0)], [100, 'hot', 150]);
    const low = scoreLead(lead, { contactName: -80 }, NOW);
    assert.deepEqual([low.score, low.reasons.reduce((s, r) => s + r.points, 0)], [0, -75]);
  });

  test('same input, same output; the defaults are frozen', () => {
    const lead: ScoringInput = { ...emptyLead(), source: 'oem', requestDate: hoursAgo(1), customer: { ...emptyLead().customer, timeframe: timeframe('asap') } };
    assert.deepEqual(scoreLead(structuredClone(lead), undefined, new Date(NOW)), scoreLead(lead, undefined, NOW));
    assert.ok(Object.isFrozen(DEFAULT_SCORING_WEIGHTS) && Object.isFrozen(DEFAULT_SCORING_WEIGHTS.sources));
  });
});

describe('properties', () => {
  const text = fc.option(fc.constantFrom('', ' ', 'Jane', 'asap', 'this month', 'in 3 weeks', 'not sure', '10 days'), { nil: null });
  const iso = fc.option(fc.integer({ min: -90, max: 90 }).map(daysAhead), { nil: null });
  const leadArb: fc.Arbitrary<ScoringInput> = fc.record({
    source: fc.option(fc.constantFrom('oem', 'cars.com', 'campaign', 'x'), { nil: null }),
    sourceCategory: fc.option(fc.constantFrom('oem', 'third-party', 'dealer-website'), { nil: null }),
    requestDate: iso,
    customer: fc.record({
      firstName: text,
      lastName: text,
      emails: fc.array(fc.constantFrom('a@b.co', ''), { maxLength: 2 }),
      phones: fc.array(fc.record({ raw: fc.constantFrom('555', '+447400123456') }), { maxLength: 2 }),
      timeframe: fc.option(fc.record({ description: text, earliestDate: iso, latestDate: iso }), { nil: null }),
      comments: text,
    }),
    vehicles: fc.array(
      fc.record({
        interest: fc.option(fc.constantFrom('buy', 'lease', 'trade-in', 'sell'), { nil: null }),
        price: fc.option(fc.integer({ min: 0, max: 90_000 }), { nil: null }),
      }),
      { maxLength: 3 },
    ),
    enrichment: fc.option(
      fc.record({
        email: fc.option(
          fc.record({
            address: fc.constant('a@b.co'),
            syntaxValid: fc.boolean(),
            domain: fc.constant('b.co'),
            mx: fc.constantFrom('found' as const, 'none' as const, 'error' as const, 'skipped' as const),
            disposable: fc.boolean(),
            role: fc.boolean(),
            verifier: fc.option(
              fc.record({ status: fc.constantFrom('deliverable' as const, 'undeliverable' as const, 'risky' as const, 'unknown' as const) }),
              { nil: null },
            ),
          }),
          { nil: null },
        ),
        phone: fc.option(
          fc.record({
            raw: fc.constant('x'),
            e164: fc.constant(null),
            valid: fc.boolean(),
            country: fc.constant(null),
            type: fc.constantFrom('mobile' as const, 'fixed_line' as const, 'unknown' as const),
          }),
          { nil: null },
        ),
        vehicles: fc.constant([]),
      }),
      { nil: null },
    ),
  });
  const weightsArb = fc.record(
    {
      contactName: fc.integer({ min: -50, max: 50 }),
      emailVerified: fc.double({ min: -60, max: 60, noNaN: true }),
      timeframeWeek: fc.integer({ min: -50, max: 120 }),
      recencyStale: fc.integer({ min: -100, max: 0 }),
      hotThreshold: fc.integer({ min: 0, max: 100 }),
      warmThreshold: fc.integer({ min: 0, max: 100 }),
    },
    { requiredKeys: [] },
  );

  test('score is an integer in 0..100, the reasons explain it, the tier follows the thresholds', () => {
    fc.assert(
      fc.property(leadArb, weightsArb, (lead, weights) => {
        const { score, tier, reasons } = scoreLead(lead, weights, NOW);
        assert.ok(Number.isInteger(score) && score >= 0 && score <= 100, String(score));
        const raw = reasons.reduce((s, r) => s + r.points, 0);
        assert.equal(score, Math.min(100, Math.max(0, raw)));
        assert.ok(reasons.every((r) => Number.isInteger(r.points) && r.points !== 0));
        assert.equal(tier, tierFor(score, { ...DEFAULT_SCORING_WEIGHTS, ...weights }));
        assert.deepEqual(scoreLead(lead, weights, NOW), { score, tier, reasons }, 'deterministic');
      }),
      { numRuns: 500 },
    );
  });

  test('tiers are monotonic in score for any thresholds', () => {
    const rank = { cold: 0, warm: 1, hot: 2 } as const;
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 0, max: 100 }),
        fc.integer({ min: 0, max: 100 }),
        (a, b, hotThreshold, warmThreshold) => {
          const [lo, hi] = a <= b ? [a, b] : [b, a];
          const t = { hotThreshold, warmThreshold };
          assert.ok(rank[tierFor(lo, t)] <= rank[tierFor(hi, t)]);
        },
      ),
    );
  });
});
