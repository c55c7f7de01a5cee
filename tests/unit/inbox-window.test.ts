// The sending window, pure: hours in the recipient's zone when the lead has one (else the
// inbox's), across DST changes (a 23- or 25-hour day, an hour that does not exist) and holidays,
// which are dates in whichever zone the window is applied in. Every expected instant is written
// out in UTC so a reader can check it against a time-zone table.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_POLICY, emptyCarry, type SendWindow } from '../../workflows/inbox/contract.js';
import { planSlot } from '../../workflows/inbox/policy/plan.js';
import { checkPolicy } from '../../workflows/inbox/policy/validate.js';
import { nextOpen, windowZone } from '../../workflows/inbox/policy/window.js';

const utc = (y: number, mo: number, d: number, h = 0, mi = 0) => Date.UTC(y, mo - 1, d, h, mi);
const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
/** Mon–Fri 9–17, as the runbook's default. */
const business = (timeZone: string, o: Partial<SendWindow> = {}): SendWindow => ({
  days: [1, 2, 3, 4, 5],
  startHour: 9,
  endHour: 17,
  timeZone,
  holidays: [],
  recipientTimeZone: true,
  ...o,
});

describe("window in the recipient's zone, not the inbox's", () => {
  const w = business('UTC');

  test('Wednesday noon in London is 04:00 in Los Angeles: the recipient gets it at 09:00 PST', () => {
    const t = utc(2026, 12, 9, 12);
    assert.equal(iso(nextOpen(w, t, null)), iso(t), 'no recipient zone: the inbox is open');
    assert.equal(iso(nextOpen(w, t, 'America/Los_Angeles')), iso(utc(2026, 12, 9, 17)));
  });

  test("Friday 10:00 UTC is Friday 19:00 in Tokyo: the recipient's Monday 09:00 JST", () => {
    const t = utc(2026, 12, 11, 10);
    assert.equal(iso(nextOpen(w, t, null)), iso(t));
    assert.equal(iso(nextOpen(w, t, 'Asia/Tokyo')), iso(utc(2026, 12, 14, 0)), 'Mon 09:00 JST = Mon 00:00 UTC');
  });

  test("Sunday evening in New York is Monday morning in Sydney: open for the recipient, closed in the inbox's zone", () => {
    const nyInbox = business('America/New_York');
    const t = utc(2026, 12, 13, 23); // Sun 18:00 EST = Mon 10:00 AEDT
    assert.equal(iso(nextOpen(nyInbox, t, 'Australia/Sydney')), iso(t));
    assert.equal(iso(nextOpen(nyInbox, t, null)), iso(utc(2026, 12, 14, 14)), 'Mon 09:00 EST');
  });

  test("the recipient's zone is ignored when the window says so, or when it is not an IANA zone", () => {
    assert.equal(windowZone({ ...w, recipientTimeZone: false }, 'Asia/Tokyo'), 'UTC');
    assert.equal(windowZone(w, 'Mars/Olympus_Mons'), 'UTC');
    assert.equal(windowZone(w, 'Asia/Tokyo'), 'Asia/Tokyo');
  });

  test("planSlot places the slot at the recipient's opening hour (the day still counts in the inbox's zone)", () => {
    const now = utc(2026, 12, 9, 12);
    const policy = { ...DEFAULT_POLICY, ramp: [], window: w };
    const plan = planSlot({ policy, createdAt: now, carry: emptyCarry(), healthScore: 100, now, recipientTimeZone: 'America/Chicago', jitter: 0 });
    assert.deepEqual(plan, { kind: 'slot', sendAt: utc(2026, 12, 9, 15), day: '2026-12-09' }, '09:00 CST = 15:00 UTC');
  });
});

describe('DST edges', () => {
  test('the weekend the US springs forward (a 23-hour Sunday): Monday 09:00 EDT is 13:00 UTC, a week earlier it was 14:00', () => {
    const w = business('America/New_York');
    assert.equal(iso(nextOpen(w, utc(2026, 2, 27, 23))), iso(utc(2026, 3, 2, 14)), 'Fri 18:00 EST → Mon 09:00 EST');
    assert.equal(iso(nextOpen(w, utc(2026, 3, 6, 23))), iso(utc(2026, 3, 9, 13)), 'Fri 18:00 EST → Mon 09:00 EDT');
  });

  test('a window opening in the hour that does not exist (02:00 on 8 March) opens at 03:00 EDT', () => {
    const w = business('America/New_York', { days: [0], startHour: 2, endHour: 5 });
    assert.equal(iso(nextOpen(w, utc(2026, 3, 8, 5, 30))), iso(utc(2026, 3, 8, 7)), 'Sun 00:30 EST → 03:00 EDT');
  });

  test('the weekend the US falls back (a 25-hour Sunday): Monday 09:00 EST is 14:00 UTC', () => {
    const w = business('America/New_York');
    assert.equal(iso(nextOpen(w, utc(2026, 10, 30, 22))), iso(utc(2026, 11, 2, 14)), 'Fri 18:00 EDT → Mon 09:00 EST');
    // The repeated 01:00 hour: the first one (EDT) is the window's.
    const early = business('America/New_York', { days: [0], startHour: 1, endHour: 2 });
    assert.equal(iso(nextOpen(early, utc(2026, 11, 1, 4, 30))), iso(utc(2026, 11, 1, 5)), 'Sun 00:30 EDT → 01:00 EDT');
  });

  test("a recipient whose clocks change on another date than the inbox's: London moves on 29 March, New York on 8 March", () => {
    const w = business('America/New_York');
    // Monday 16 March: New York is on EDT (UTC−4), London still on GMT.
    assert.equal(iso(nextOpen(w, utc(2026, 3, 16, 5), 'Europe/London')), iso(utc(2026, 3, 16, 9)));
    assert.equal(iso(nextOpen(w, utc(2026, 3, 16, 5), null)), iso(utc(2026, 3, 16, 13)));
    // Monday 30 March: London on BST (UTC+1).
    assert.equal(iso(nextOpen(w, utc(2026, 3, 30, 5), 'Europe/London')), iso(utc(2026, 3, 30, 8)));
  });
});

describe('holidays', () => {
  const w = business('UTC', { holidays: ['2026-12-25'] });

  test('Christmas is a Friday: Thursday after hours waits until Monday', () => {
    assert.equal(iso(nextOpen(w, utc(2026, 12, 24, 18))), iso(utc(2026, 12, 28, 9)));
    assert.equal(iso(nextOpen(w, utc(2026, 12, 25, 10))), iso(utc(2026, 12, 28, 9)), 'the whole day, not only its start');
  });

  test("a holiday is a date in the zone the window is applied in: the recipient's", () => {
    // Thu 21:00 UTC is Fri 25 December 10:00 in Auckland (NZDT, UTC+13): a holiday there.
    const t = utc(2026, 12, 24, 21);
    assert.equal(iso(nextOpen(w, t, 'Pacific/Auckland')), iso(utc(2026, 12, 27, 20)), 'Mon 28 Dec 09:00 NZDT');
    // The same instant is Thu 24 December 13:00 in Los Angeles: not a holiday, open.
    assert.equal(iso(nextOpen(w, t, 'America/Los_Angeles')), iso(t));
  });

  test('holidays that close every open day for the horizon: the window never opens, and a policy saying so is refused', () => {
    const wednesdays = Array.from({ length: 10 }, (_, i) => new Date(utc(2026, 12, 9) + i * 7 * 86_400_000).toISOString().slice(0, 10));
    const closed = business('UTC', { days: [3], holidays: wednesdays });
    assert.equal(nextOpen(closed, utc(2026, 12, 9, 12)), null);
    const check = checkPolicy({ window: closed }, DEFAULT_POLICY, utc(2026, 12, 9, 12));
    assert.equal(check.ok ? null : check.field, 'window');
  });
});
