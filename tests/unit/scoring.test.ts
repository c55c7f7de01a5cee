// Lead scoring: three reference leads with exact scores and reasons, each rule in isolation,
// weight overrides, determinism, and properties over random leads and weights.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { EmailEnrichment, Enrichment, PhoneEnrichment } from '../../domain/enrich/types.js';
import { DEFAULT_SCORING_WEIGHTS, scoreLead, tierFor, type ScoringInput } from '../../workflows/policy/scoring.js';

const NOW = new Date('2026-11-23T12:00:00.000Z');
const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3_600_000).toISOString();
const daysAhead = (d: number) => new Date(NOW.getTime() + d * 86_400_000).toISOString();

/** A lead with nothing in it: scores 0 with no reasons. */
function emptyLead(): ScoringInput {
  return {
    source: null,
    requestDate: null,
    customer: { firstName: null, lastName: null, emails: [], phones: [], timeframe: null, comments: null },
    vehicles: [],
    enrichment: null,
  };
}

const goodEmail: EmailEnrichment = {
  address: 'jane@example.com',
  syntaxValid: true,
  domain: 'example.com',
  mx: 'found',
  disposable: false,
  role: false,
  verifier: null,
};
const ukMobile: PhoneEnrichment = { raw: '+447400123456', e164: '+447400123456', valid: true, type: 'mobile', country: 'GB' };
const usPhone: PhoneEnrichment = { raw: '(201) 555-0123', e164: '+12015550123', valid: true, type: 'fixed_line_or_mobile', country: 'US' };
const enrichment = (e: Partial<Enrichment>): Enrichment => ({ email: null, phone: null, vehicles: [], ...e });
const timeframe = (description: string | null, earliestDate: string | null = null, latestDate: string | null = null) => ({
  description,
  earliestDate,
  latestDate,
});
const rules = (r: ReturnType<typeof scoreLead>) => r.reasons.map((x) => `${x.rule}:${x.points}`);

const contactOf = (emails: string[], phones: string[]) => ({
  firstName: 'Jane',
  lastName: 'Doe',
  emails,
  phones: phones.map((raw) => ({ raw, e164: null })),
  comments: null,
});

describe('reference leads', () => {
  test('hot: reachable, buying this week, priced, OEM, fresh', () => {
    const lead: ScoringInput = {
      source: 'toyota.com',
      sourceCategory: 'oem',
      requestDate: hoursAgo(2),
      customer: { ...contactOf(['jane@example.com'], ['+447400123456']), timeframe: timeframe('ASAP') },
      vehicles: [{ interest: 'buy', price: 32_500 }],
      enrichment: enrichment({ email: goodEmail, phone: ukMobile }),
    };
    const result = scoreLead(lead, undefined, NOW);
    assert.deepEqual(rules(result), [
      'contact.name:5',
      'contact.email:5',
      'contact.phone:5',
      'email.verified:15',
      'phone.valid:10',
      'phone.mobile:5',
      'timeframe.week:20',
      'price:5',
      'source:10',
      'recency.day:10',
    ]);
    assert.deepEqual([result.score, result.tier], [90, 'hot']);
    assert.equal(result.reasons.find((r) => r.rule === 'source')?.detail, 'source category oem');
    assert.equal(result.reasons.find((r) => r.rule === 'recency.day')?.detail, 'submitted 2 hours ago');
  });

  test('warm: reachable, buying within the month, third-party, a few days old', () => {
    const lead: ScoringInput = {
      source: 'cars.com',
      sourceCategory: 'third-party',
      requestDate: hoursAgo(72),
      customer: { ...contactOf(['jane@example.com'], ['(201) 555-0123']), timeframe: timeframe(null, daysAhead(20), daysAhead(40)) },
      vehicles: [{ interest: 'buy', price: null }],
      enrichment: enrichment({ email: goodEmail, phone: usPhone }),
    };
    const result = scoreLead(lead, undefined, NOW);
    assert.deepEqual(rules(result), [
      'contact.name:5',
      'contact.email:5',
      'contact.phone:5',
      'email.verified:15',
      'phone.valid:10',
      'timeframe.month:10',
      'source:5',
      'recency.week:5',
    ]);
    assert.deepEqual([result.score, result.tier], [60, 'warm']);
  });

  test('cold: role mailbox, invalid phone, no timeframe, campaign source', () => {
    const lead: ScoringInput = {
      source: 'campaign',
      requestDate: hoursAgo(24 * 10),
      customer: { ...contactOf(['info@dealer.example'], ['555']), timeframe: timeframe('just looking'), comments: 'Send me a brochure' },
      vehicles: [{ interest: 'buy', price: null }],
      enrichment: enrichment({
        email: { ...goodEmail, address: 'info@dealer.example', domain: 'dealer.example', role: true },
        phone: { raw: '555', e164: null, valid: false, type: 'unknown', country: null },
      }),
    };
    const result = scoreLead(lead, undefined, NOW);
    assert.deepEqual(rules(result), ['contact.name:5', 'contact.email:5', 'contact.phone:5', 'email.role:-5', 'comments:5']);
    assert.deepEqual([result.score, result.tier], [15, 'cold']);
  });
});

describe('each rule in isolation', () => {
  const only = (patch: (l: ScoringInput) => void) => {
    const lead = emptyLead();
    patch(lead);
    return rules(scoreLead(lead, undefined, NOW));
  };

  test('an empty lead scores 0 with no reasons', () => {
    assert.deepEqual(scoreLead(emptyLead(), undefined, NOW), { score: 0, tier: 'cold', reasons: [] });
  });

  test('contact completeness', () => {
    assert.deepEqual(
      only((l) => {
        l.customer.fullName = 'Jane Doe';
      }),
      ['contact.name:5'],
    );
    assert.deepEqual(
      only((l) => {
        l.customer.firstName = '  ';
      }),
      [],
    );
    assert.deepEqual(
      only((l) => {
        l.customer.emails = ['a@b.co'];
      }),
      ['contact.email:5'],
    );
    assert.deepEqual(
      only((l) => {
        l.customer.phones = [{ raw: '555-0100' }];
      }),
      ['contact.phone:5'],
    );
  });

  test('verified e-mail, and its penalties', () => {
    const withEmail = (e: Partial<EmailEnrichment>) =>
      only((l) => {
        l.enrichment = enrichment({ email: { ...goodEmail, ...e } });
      });
    assert.deepEqual(withEmail({}), ['email.verified:15']);
    assert.deepEqual(withEmail({ verifier: { status: 'deliverable' } }), ['email.verified:15']);
    assert.deepEqual(withEmail({ mx: 'none' }), []);
    assert.deepEqual(withEmail({ mx: 'error' }), [], 'an unanswered DNS query is no evidence either way');
    assert.deepEqual(withEmail({ syntaxValid: false, mx: 'skipped' }), []);
    assert.deepEqual(withEmail({ disposable: true }), ['email.disposable:-15']);
    assert.deepEqual(withEmail({ role: true }), ['email.role:-5']);
    assert.deepEqual(withEmail({ verifier: { status: 'undeliverable' } }), ['email.undeliverable:-15']);
  });

  test('valid phone, mobile bonus', () => {
    const withPhone = (p: PhoneEnrichment) =>
      only((l) => {
        l.enrichment = enrichment({ phone: p });
      });
    assert.deepEqual(withPhone(ukMobile), ['phone.valid:10', 'phone.mobile:5']);
    assert.deepEqual(withPhone({ ...ukMobile, type: 'fixed_line' }), ['phone.valid:10']);
    assert.deepEqual(withPhone(usPhone), ['phone.valid:10']);
    assert.deepEqual(withPhone({ ...ukMobile, valid: false }), []);
  });

  test('timeframe: words and dates', () => {
    const tf = (t: ReturnType<typeof timeframe>) =>
      only((l) => {
        l.customer.timeframe = t;
      });
    for (const words of ['asap', 'This week', 'within 5 days', 'tomorrow', 'right away']) assert.deepEqual(tf(timeframe(words)), ['timeframe.week:20'], words);
    for (const words of ['this month', 'in 2 weeks', 'next couple of weeks', '30 days']) assert.deepEqual(tf(timeframe(words)), ['timeframe.month:10'], words);
    for (const words of ['3 months', 'just looking', 'not now', '']) assert.deepEqual(tf(timeframe(words)), [], words);
    assert.deepEqual(tf(timeframe(null, daysAhead(3))), ['timeframe.week:20']);
    assert.deepEqual(tf(timeframe(null, daysAhead(-10), daysAhead(5))), ['timeframe.week:20'], 'window already open');
    assert.deepEqual(tf(timeframe(null, null, daysAhead(25))), ['timeframe.month:10']);
    assert.deepEqual(tf(timeframe(null, daysAhead(45))), []);
    assert.deepEqual(tf(timeframe('asap', daysAhead(-20), daysAhead(-10))), [], 'dates win; the window has closed');
    assert.deepEqual(tf(timeframe('asap', 'not a date')), ['timeframe.week:20'], 'bad dates fall back to words');
  });

  test('trade-in, price, comments', () => {
    assert.deepEqual(
      only((l) => {
        l.vehicles = [{ interest: 'Trade-In', price: 9_000 }];
      }),
      ['trade-in:10'],
      "a trade-in's price is not a budget",
    );
    assert.deepEqual(
      only((l) => {
        l.vehicles = [{ interest: 'buy', price: 30_000 }];
      }),
      ['price:5'],
    );
    assert.deepEqual(
      only((l) => {
        l.vehicles = [{ interest: 'lease', price: null, priceRange: { min: 20_000, max: 25_000 } }];
      }),
      ['price:5'],
    );
    assert.deepEqual(
      only((l) => {
        l.vehicles = [{ interest: 'buy', price: 0 }];
      }),
      [],
    );
    assert.deepEqual(
      only((l) => {
        l.customer.comments = 'Is it still available?';
      }),
      ['comments:5'],
    );
    assert.deepEqual(
      only((l) => {
        l.customer.comments = ' \n ';
      }),
      [],
    );
  });

  test('source: name, then category, then default', () => {
    assert.deepEqual(
      only((l) => {
        l.sourceCategory = 'OEM';
      }),
      ['source:10'],
    );
    assert.deepEqual(
      only((l) => {
        l.source = 'constructor';
      }),
      [],
      'no prototype lookups',
    );
    const w = { sources: { 'cars.com': 7 }, sourceDefault: 2 };
    const lead = (source: string, sourceCategory: string | null) => rules(scoreLead({ ...emptyLead(), source, sourceCategory }, w, NOW));
    assert.deepEqual(lead('Cars.com', 'oem'), ['source:7']);
    assert.deepEqual(lead('honda.com', 'oem'), ['source:10'], 'defaults still apply: sources merge per key');
    assert.deepEqual(lead('walk-in', null), ['source:2']);
  });

  test('recency', () => {
    const at = (iso: string | null) =>
      only((l) => {
        l.requestDate = iso;
      });
    assert.deepEqual(at(hoursAgo(23)), ['recency.day:10']);
    assert.deepEqual(at(hoursAgo(-2)), ['recency.day:10'], 'clock skew counts as just now');
    assert.deepEqual(at(hoursAgo(24 * 6)), ['recency.week:5']);
    assert.deepEqual(at(hoursAgo(24 * 20)), []);
    assert.deepEqual(at(hoursAgo(24 * 31)), ['recency.stale:-10']);
    assert.deepEqual(at('yesterday'), []);
  });
});

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
