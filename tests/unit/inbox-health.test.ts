// The runbook's health rules, pure: the 40/30/20/10 score against hand-computed figures, the
// daily-limit cut below 80, the 7-day pause below 50 or over 5% bounces, the 3% warning, the
// 24-hour block pause, and what an operator's resume does to the figures. Reading the numbers
// here is how an operator checks the code still says what the runbook says.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_POLICY, emptyCarry, type DayStats, type InboxCarry, type InboxPause } from '../../workflows/inbox/contract.js';
import { emptyDay, healthOf, windowTotals } from '../../workflows/inbox/policy/health.js';
import { BLOCK_PAUSE_MS, HEALTH_PAUSE_MS, judge } from '../../workflows/inbox/policy/judge.js';
import { dailyLimit } from '../../workflows/inbox/policy/limits.js';
import { planSlot } from '../../workflows/inbox/policy/plan.js';
import { dayKey } from '../../workflows/inbox/policy/time.js';

const DAY = 86_400_000;
// Wednesday 2026-12-09 12:00 UTC: inside the default Mon–Fri 9–17 UTC window.
const NOW = Date.UTC(2026, 11, 9, 12);
const TODAY = dayKey(NOW, 'UTC');
const policy = DEFAULT_POLICY;
const old = NOW - 60 * DAY;

/** A carry whose only counted day is today, with these figures. */
function carryWith(day: Partial<DayStats>, extra: Partial<InboxCarry> = {}): InboxCarry {
  return { ...emptyCarry(), days: { [TODAY]: { ...emptyDay(), ...day } }, ...extra };
}
const health = (day: Partial<DayStats>, createdAt = old) => healthOf(carryWith(day), policy, createdAt, NOW);

describe('inbox health score (40 bounce, 30 complaint, 20 reply, 10 age)', () => {
  test('a mixed month against the hand-computed score', () => {
    // 1000 sent; 15 hard + 5 block bounces = 2% → 40·(1 − 0.02/0.05) = 24; 1 complaint = 0.1% →
    // 30·(1 − 0.001/0.003) = 20; 10 replies = 1% → 20·(0.01/0.02) = 10; 14 days old → 10·14/28 = 5.
    // Soft bounces count for nothing. 24 + 20 + 10 + 5 = 59.
    const h = health({ sent: 1000, hardBounces: 15, blocks: 5, softBounces: 40, complaints: 1, replies: 10 }, NOW - 14 * DAY);
    assert.deepEqual(h.parts, { bounce: 24, complaint: 20, reply: 10, age: 5 });
    assert.equal(h.score, 59);
    assert.deepEqual(
      {
        bounces: h.inputs.bounces,
        bounceRate: h.inputs.bounceRate,
        complaintRate: h.inputs.complaintRate,
        replyRate: h.inputs.replyRate,
        ageDays: h.inputs.ageDays,
      },
      { bounces: 20, bounceRate: 0.02, complaintRate: 0.001, replyRate: 0.01, ageDays: 14 },
    );
  });

  test('a clean, replied-to, four-week-old inbox scores 100; each part caps at its weight', () => {
    const h = health({ sent: 100, replies: 5 });
    assert.deepEqual(h.parts, { bounce: 40, complaint: 30, reply: 20, age: 10 });
    assert.equal(h.score, 100);
  });

  test('the rate parts reach 0 at 5% bounces and 0.3% complaints, and never go below', () => {
    const h = health({ sent: 1000, hardBounces: 80, complaints: 4, replies: 0 });
    assert.deepEqual(h.parts, { bounce: 0, complaint: 0, reply: 0, age: 10 });
    assert.equal(h.score, 10);
  });

  test('below the minimum sample the rates are not held against the inbox; age still counts', () => {
    // 10 sent, 3 bounced (30%) and no replies: too few to judge. A day-old inbox: 10·1/28 = 0.36.
    const h = health({ sent: policy.healthMinSample - 10, hardBounces: 3 }, NOW - DAY);
    assert.deepEqual(h.parts, { bounce: 40, complaint: 30, reply: 20, age: 0.4 });
    assert.equal(h.score, 90);
  });

  test('only the health window counts: a bad day 31 days ago is forgotten', () => {
    const carry = carryWith({ sent: 50, replies: 1 });
    carry.days[dayKey(NOW - 31 * DAY, 'UTC')] = { ...emptyDay(), sent: 50, hardBounces: 50 };
    carry.days[dayKey(NOW - 29 * DAY, 'UTC')] = { ...emptyDay(), sent: 50, hardBounces: 1 };
    const t = windowTotals(carry, policy, NOW);
    assert.deepEqual([t.sent, t.hardBounces, t.replies], [100, 1, 1]);
    // 1% bounces → 32; no complaints → 30; 1% replies → 10; old → 10.
    assert.equal(healthOf(carry, policy, old, NOW).score, 82);
  });
});

describe('what the score does to the daily limit', () => {
  test('below 80 the limit drops to 10; at 80 it stays the ramp and cap', () => {
    const week5 = 29;
    assert.equal(dailyLimit(policy, week5, 80), 25, 'week 5 of the runbook ramp');
    assert.equal(dailyLimit(policy, week5, 79), 10);
    assert.equal(dailyLimit(policy, 1, 79), 5, 'a lower ramp figure is not raised to 10');
    assert.equal(dailyLimit({ ...policy, ramp: [] }, 1, 79), 10, 'an unramped inbox is cut too');
  });
});

describe('judge: pauses and warnings by the runbook', () => {
  test('a score below 50 pauses the inbox itself for 7 days', () => {
    // 4.5% bounces → 4; 0.2% complaints → 10; no replies → 0; old → 10: 24.
    const h = health({ sent: 1000, hardBounces: 45, complaints: 2 });
    assert.equal(h.score, 24);
    const v = judge(policy, h, null, 'sent', NOW);
    assert.equal(v.pause?.kind, 'health');
    assert.equal(v.pause?.until, NOW + 7 * DAY);
    assert.equal(HEALTH_PAUSE_MS, 7 * DAY);
    assert.match(v.pause?.reason ?? '', /health 24 is below 50/);
  });

  test('a score of exactly 50 does not pause, and warns of the 10-a-day limit', () => {
    // 0 replies, old, 2.5% bounces → 20, 0.1% complaints → 20: 50.
    const h = health({ sent: 1000, hardBounces: 25, complaints: 1 });
    assert.equal(h.score, 50);
    const v = judge(policy, h, null, 'sent', NOW);
    assert.equal(v.pause, null);
    assert.deepEqual(v.warnings, ['health 50 is below 80: at most 10 messages a day']);
  });

  test('a bounce rate over 3% warns; at 3% it does not', () => {
    const over = judge(policy, health({ sent: 100, hardBounces: 4, replies: 2 }), null, 'hard_bounce', NOW);
    assert.equal(over.pause, null, '4% with a score of 68 is a warning, not a pause');
    assert.ok(over.warnings.includes('bounce rate 4.0% is over 3.0%'), over.warnings.join('; '));
    const at = judge(policy, health({ sent: 100, hardBounces: 3, replies: 2 }), null, 'hard_bounce', NOW);
    assert.ok(!at.warnings.some((w) => w.startsWith('bounce rate')), at.warnings.join('; '));
  });

  test('a bounce rate over 5% pauses at once for 7 days, even with a score of 50 or more', () => {
    // 6 of 100: bounce part 0, the rest 30 + 20 + 10 = 60.
    const h = health({ sent: 100, hardBounces: 6, replies: 2 });
    assert.equal(h.score, 60);
    const v = judge(policy, h, null, 'hard_bounce', NOW);
    assert.equal(v.pause?.kind, 'bounce_rate');
    assert.equal(v.pause?.until, NOW + HEALTH_PAUSE_MS);
    assert.match(v.pause?.reason ?? '', /bounce rate 6\.0% is over 5\.0%/);
    const at = judge(policy, health({ sent: 100, hardBounces: 5, replies: 2 }), null, 'hard_bounce', NOW);
    assert.equal(at.pause, null, 'exactly 5% is not over 5%');
  });

  test('over 5% but under the minimum sample: neither a pause nor a warning', () => {
    const v = judge(policy, health({ sent: 10, hardBounces: 2, replies: 1 }), null, 'hard_bounce', NOW);
    assert.deepEqual(v, { pause: null, warnings: [] });
  });

  test('a block bounce pauses a healthy inbox for 24 hours', () => {
    const h = health({ sent: 100, blocks: 1, replies: 2 });
    assert.ok(h.score >= 80, `score ${h.score}`);
    const v = judge(policy, h, null, 'block_bounce', NOW);
    assert.equal(v.pause?.kind, 'block');
    assert.equal(v.pause?.until, NOW + BLOCK_PAUSE_MS);
    assert.equal(BLOCK_PAUSE_MS, DAY);
  });

  test("the inbox's own pause never shortens a longer or open-ended one", () => {
    const operator: InboxPause = { until: null, reason: 'domain move', by: 'ops', at: NOW - DAY, kind: 'operator' };
    assert.equal(judge(policy, health({ sent: 100, replies: 2 }), operator, 'block_bounce', NOW).pause, operator);
    const week = judge(policy, health({ sent: 100, hardBounces: 6 }), null, 'hard_bounce', NOW).pause;
    assert.equal(judge(policy, health({ sent: 100, hardBounces: 6 }), week, 'block_bounce', NOW + 1000).pause, week, '7 days outlast 24 hours');
    const expired: InboxPause = { ...operator, until: NOW - 1 };
    assert.equal(judge(policy, health({ sent: 100, replies: 2 }), expired, 'block_bounce', NOW).pause?.kind, 'block');
  });
});

describe('an operator resume lifts a health pause early', () => {
  test('paused: no slot; resumed (state.ts clears the pause and counts from the resume): slots, healthy, no re-pause', () => {
    const bad = { sent: 100, hardBounces: 6, replies: 2 };
    const paused = judge(policy, health(bad), null, 'hard_bounce', NOW).pause;
    assert.ok(paused !== null);
    const carry = carryWith(bad, { pause: paused });
    const plan = (c: InboxCarry, now: number) =>
      planSlot({ policy, createdAt: old, carry: c, healthScore: healthOf(c, policy, old, now).score, now, recipientTimeZone: null, jitter: 0 });
    const waiting = plan(carry, NOW + DAY);
    assert.equal(waiting.kind, 'wait');
    assert.match(waiting.kind === 'wait' ? waiting.reason : '', /inbox paused until .*bounce rate 6\.0%/);

    // What InboxState.resume does: the pause goes, and today's counts so far become the base.
    const resumedAt = NOW + DAY;
    const resumed: InboxCarry = { ...carry, pause: null, resumedFrom: { day: dayKey(resumedAt, 'UTC'), base: emptyDay() } };
    const after = healthOf(resumed, policy, old, resumedAt);
    assert.equal(after.inputs.sent, 0, 'the bounces that caused the pause are not held against it again');
    assert.equal(after.score, 100);
    assert.equal(judge(policy, after, resumed.pause, 'sent', resumedAt).pause, null);
    assert.equal(plan(resumed, resumedAt).kind, 'slot', 'six days before the pause would have ended');
  });
});
