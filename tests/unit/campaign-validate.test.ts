// validateCampaign checks a campaign whole: a valid one passes with its defaults, every class of
// problem is named by its path, several problems come back together, a window that never opens is
// refused, and a PATCH is merged at the top level and re-validated whole.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { msToNumber } from '@temporalio/common/lib/time.js';
import { parseDuration } from '../../domain/campaigns/checks.js';
import type { CampaignSpec } from '../../domain/campaigns/spec.js';
import { validateCampaign, validateCampaignPatch, type CampaignContext } from '../../domain/campaigns/validate.js';

const ctx: CampaignContext = {
  inboxes: new Map([
    ['warm-1', { channel: 'email', active: true }],
    ['warm-2', { channel: 'email', active: true }],
    ['retired', { channel: 'email', active: false }],
    ['sms-1', { channel: 'sms', active: true }],
  ]),
};

const valid = () => ({
  name: 'Q1 fleet outreach',
  inboxes: ['warm-1', 'warm-2'],
  channel: 'email',
  steps: [
    {
      delay: '0',
      variants: [
        {
          id: 'A',
          weight: 1,
          subject: 'Fleet pricing for {{ company | default: "your team" }}',
          body: 'Hi {{ firstName | default: "there" }},\n\n{{ senderName }}',
        },
        {
          id: 'B',
          weight: 1,
          subject: 'Quick question, {{ firstName }}',
          body: 'Hello {{ firstName }}{% if fields.fleetSize %} ({{ fields.fleetSize }} cars){% endif %}',
        },
      ],
    },
    {
      delay: '3 days',
      prompt: 'Ask for 10 minutes on Thursday',
      variants: [{ id: 'A', weight: 1, subject: 'Following up', body: 'Hi {{ firstName }}, any thoughts?' }],
    },
  ],
  window: { days: [1, 2, 3, 4, 5], startHour: 9, endHour: 17, timeZone: 'America/Chicago', holidays: ['2026-12-25'] },
  dailyNewLeads: 200,
  senderName: 'Harbor Fleet Team',
});

function problems(input: unknown): Array<{ path: string; reason: string }> {
  const r = validateCampaign(input, ctx);
  assert.equal(r.ok, false, 'expected problems');
  return r.ok ? [] : r.problems;
}
const pathsOf = (input: unknown) => problems(input).map((p) => p.path);

describe('validateCampaign', () => {
  test('a valid campaign passes, with its defaults filled in', () => {
    const r = validateCampaign(valid(), ctx);
    assert.ok(r.ok, JSON.stringify(r));
    assert.equal(r.spec.skipActiveElsewhere, true);
    assert.equal(r.spec.significance, 0.05);
    assert.equal(r.spec.waitFor, '7 days');
    assert.deepEqual(r.spec.steps, valid().steps);
  });

  test('unknown fields are refused by name, at every level', () => {
    const v = valid();
    const input = { ...v, nmae: 'x', window: { ...v.window, tz: 'UTC' }, steps: [{ ...v.steps[0], wait: '1 day' }, { ...v.steps[1] }] };
    (input.steps[1] as { variants: object[] }).variants = [{ ...v.steps[1]!.variants[0], html: '<p>' }];
    const p = problems(input);
    for (const path of ['nmae', 'window.tz', 'steps[0].wait', 'steps[1].variants[0].html']) {
      const found = p.find((x) => x.path === path);
      assert.ok(found, `${path} named: ${JSON.stringify(p)}`);
      assert.match(found.reason, /unknown field/);
    }
  });

  test('required fields, all at once', () => {
    assert.deepEqual(pathsOf({}).sort(), ['channel', 'dailyNewLeads', 'inboxes', 'name', 'senderName', 'steps', 'window']);
    assert.deepEqual(pathsOf({ ...valid(), name: '  ', senderName: '' }).sort(), ['name', 'senderName']);
    assert.deepEqual(pathsOf({ ...valid(), name: 'x'.repeat(201) }), ['name']);
  });

  test('inboxes: exist, active, not twice, and fit the channels the steps send on', () => {
    const p = problems({ ...valid(), inboxes: ['warm-1', 'nope', 'retired', 'sms-1', 'warm-1'] });
    assert.deepEqual(
      p.map((x) => [x.path, x.reason]),
      [
        ['inboxes[1]', 'no inbox "nope"'],
        ['inboxes[2]', 'inbox "retired" is not active'],
        ['inboxes[3]', 'inbox "sms-1" sends sms, but the campaign\'s steps send email'],
        ['inboxes[4]', 'inbox "warm-1" is listed twice'],
      ],
    );
    assert.deepEqual(pathsOf({ ...valid(), inboxes: [] }), ['inboxes']);
    // An SMS step needs an SMS inbox among the campaign's.
    const v = valid();
    const smsStep = { delay: '1 day', channel: 'sms', variants: [{ id: 'A', weight: 1, body: 'Hi {{ firstName }}' }] };
    assert.deepEqual(problems({ ...v, steps: [...v.steps, smsStep] }), [{ path: 'inboxes', reason: 'no inbox sends sms, which a step uses' }]);
    assert.ok(validateCampaign({ ...v, inboxes: ['warm-1', 'sms-1'], steps: [...v.steps, smsStep] }, ctx).ok);
  });

  test('steps: count, delays, variants, weights, subjects', () => {
    const v = valid();
    assert.deepEqual(pathsOf({ ...v, steps: [] }), ['steps']);
    assert.deepEqual(pathsOf({ ...v, steps: Array.from({ length: 21 }, () => v.steps[1]) }), ['steps']);
    const bad = {
      ...v,
      steps: [
        {
          delay: '2 dayz',
          variants: [
            { id: 'A', weight: 0, subject: 'Hi', body: 'x' },
            { id: 'A', weight: Number.POSITIVE_INFINITY, body: 'y' },
            { id: 'has space', weight: 1, subject: 'Hi', body: ' ' },
          ],
        },
        { delay: '-1 day', channel: 'sms', variants: [{ id: 'A', weight: 1, subject: 'SMS has none', body: 'Hi' }] },
      ],
      inboxes: ['warm-1', 'sms-1'],
    };
    assert.deepEqual(pathsOf(bad), [
      'steps[0].delay',
      'steps[0].variants[0].weight',
      'steps[0].variants[1].weight',
      'steps[0].variants[1].subject',
      'steps[0].variants[1].id',
      'steps[0].variants[2].id',
      'steps[0].variants[2].body',
      'steps[1].delay',
      'steps[1].variants[0].subject',
    ]);
  });

  test('templates: the problem names step, variant, part and the unknown variable or filter', () => {
    const v = valid();
    v.steps[0]!.variants[1]!.body = 'Hi {{ frstName }}';
    v.steps[1]!.variants[0]!.subject = '{{ company | shout }}';
    const p = problems(v);
    assert.deepEqual(
      p.map((x) => x.path),
      ['steps[0].variants[1].body', 'steps[1].variants[0].subject'],
    );
    assert.match(p[0]!.reason, /^step 1 variant B body: unknown variable "frstName"/);
    assert.match(p[1]!.reason, /^step 2 variant A subject: unknown filter "shout"/);
  });

  test('window: days, hours, zone, holidays; and a window that never opens', () => {
    const v = valid();
    const bad = {
      ...v,
      window: { days: [1, 1, 7], startHour: 9.5, endHour: 25, timeZone: 'Mars/Base', holidays: ['2026-02-30', 'soon'], recipientTimeZone: 'yes' },
    };
    assert.deepEqual(pathsOf(bad), [
      'window.days[2]',
      'window.days',
      'window.startHour',
      'window.endHour',
      'window.timeZone',
      'window.holidays[0]',
      'window.holidays[1]',
      'window.recipientTimeZone',
    ]);
    assert.deepEqual(problems({ ...v, window: { ...v.window, startHour: 17, endHour: 9 } }), [
      { path: 'window', reason: 'never opens: endHour 9 must be after startHour 17' },
    ]);
    assert.deepEqual(pathsOf({ ...v, window: { ...v.window, days: [] } }), ['window.days']);
    // Mondays and Wednesdays, with Mon 4, Wed 6 and Mon 11 January 2027 off: closed from Thu 31 Dec to Tue 12 Jan.
    const closed = { ...v.window, days: [1, 3], holidays: ['2027-01-04', '2027-01-06', '2027-01-11'] };
    assert.deepEqual(problems({ ...v, window: closed }), [
      { path: 'window', reason: 'never opens from 2026-12-31 to 2027-01-12: the window must open at least once a week' },
    ]);
    assert.ok(validateCampaign({ ...v, window: { ...closed, holidays: ['2027-01-04', '2027-01-11'] } }, ctx).ok);
  });

  test('dailyNewLeads, handover, scoringWeights, flags and durations', () => {
    const v = valid();
    assert.ok(validateCampaign({ ...v, dailyNewLeads: null }, ctx).ok);
    const bad = {
      ...v,
      dailyNewLeads: 0,
      handover: { sla: '0', scoreThreshold: 101, escalate: true },
      scoringWeights: { contactEmail: 'five', sources: { oem: 500 }, warmThreshold: 80, hotThreshold: 70, vibes: 3 },
      skipActiveElsewhere: 'yes',
      significance: 0.6,
      waitFor: 'forever',
    };
    assert.deepEqual(pathsOf(bad), [
      'dailyNewLeads',
      'handover.escalate',
      'handover.sla',
      'handover.scoreThreshold',
      'scoringWeights.vibes',
      'scoringWeights.contactEmail',
      'scoringWeights.sources.oem',
      'scoringWeights.warmThreshold',
      'skipActiveElsewhere',
      'significance',
      'waitFor',
    ]);
    const ok = validateCampaign(
      {
        ...v,
        handover: { sla: '30 minutes', scoreThreshold: 80 },
        scoringWeights: { contactEmail: 8, sources: { oem: 20 } },
        significance: 0.01,
        waitFor: '14 days',
      },
      ctx,
    );
    assert.ok(ok.ok);
  });

  test('durations follow the lead workflow (Temporal ms strings), not negative', () => {
    for (const s of ['0', '2 days', '2days', '1.5h', '90 minutes', '1 week', '3 yrs', '100', '.5 s', '2 DAYS', '-0'])
      assert.equal(parseDuration(s), msToNumber(s), s);
    for (const s of ['', '2 dayz', 'two days', '1 day 2 hours', '-1 day', 'P1D', '1  d '.trim() + 'x', 'x'.repeat(101)])
      assert.equal(parseDuration(s), null, s);
  });

  test('a non-object is refused', () => {
    assert.deepEqual(pathsOf([]), ['']);
    assert.deepEqual(pathsOf(null), ['']);
  });
});

describe('validateCampaignPatch', () => {
  const current = (): CampaignSpec => {
    const r = validateCampaign(valid(), ctx);
    assert.ok(r.ok);
    return r.spec;
  };

  test('top-level fields replace, steps whole; null removes an optional field', () => {
    const steps = [{ delay: '0', variants: [{ id: 'C', weight: 2, subject: 'New', body: 'Hi {{ firstName | default: "there" }}' }] }];
    const r = validateCampaignPatch({ ...current(), significance: 0.01 }, { name: 'Renamed', steps, significance: null, dailyNewLeads: null }, ctx);
    assert.ok(r.ok, JSON.stringify(r));
    assert.equal(r.spec.name, 'Renamed');
    assert.deepEqual(r.spec.steps, steps);
    assert.equal(r.spec.significance, 0.05, 'removed: the default applies');
    assert.equal(r.spec.dailyNewLeads, null, 'null is the no-cap value');
    assert.deepEqual(r.spec.window, current().window);
  });

  test('the merged campaign is validated whole; required fields cannot be removed', () => {
    const r = validateCampaignPatch(current(), { name: null, inboxes: ['gone'], window: { days: [1] }, colour: 'red' }, ctx);
    assert.equal(r.ok, false);
    assert.deepEqual(r.ok ? [] : r.problems.map((p) => p.path), ['name', 'colour', 'inboxes[0]', 'window.startHour', 'window.endHour', 'window.timeZone']);
    assert.equal(validateCampaignPatch(current(), 'x', ctx).ok, false);
  });
});
