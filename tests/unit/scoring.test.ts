// Lead scoring: three reference leads with exact scores and reasons, and each rule in isolation
// (weights, determinism and properties: scoring-properties.test.ts).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { EmailEnrichment, PhoneEnrichment } from '../../domain/enrich/types.js';
import { scoreLead, type ScoringInput } from '../../workflows/policy/scoring.js';
import { NOW, hoursAgo, daysAhead, emptyLead, goodEmail, ukMobile, usPhone, enrichment, timeframe, rules, contactOf } from '../helpers/scoring-fixtures.js';

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
