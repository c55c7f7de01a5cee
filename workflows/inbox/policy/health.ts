// Inbox health, 0–100, from the operators' runbook: bounce rate 40%, complaint rate 30%, reply
// rate 20%, inbox age 10%, over a rolling window (since the last resume, if later). Pure.
import type { DayStats, InboxCarry, InboxHealth, InboxPolicy } from '../contract.js';
import { dayKey } from './time.js';

export const DAY_MS = 86_400_000;
/** Bounce rate at which the bounce part reaches 0, and the runbook's warning / pause thresholds. */
export const BOUNCE_ZERO = 0.05;
export const BOUNCE_WARN = 0.03;
export const BOUNCE_PAUSE = 0.05;
/** Gmail/Yahoo's spam-rate ceiling: the complaint part reaches 0 at 0.3%. */
export const COMPLAINT_ZERO = 0.003;
/** A reply rate of 2% or more earns the whole reply part. */
export const REPLY_FULL = 0.02;
/** Full age points after four weeks of sending. */
export const AGE_FULL_DAYS = 28;
/** Below this the daily limit drops to REDUCED_LIMIT; below PAUSE_SCORE the inbox pauses itself. */
export const REDUCED_SCORE = 80;
export const REDUCED_LIMIT = 10;
export const PAUSE_SCORE = 50;

export const emptyDay = (): DayStats => ({ granted: 0, sent: 0, hardBounces: 0, softBounces: 0, blocks: 0, complaints: 0, replies: 0 });

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));

export function zone(policy: InboxPolicy): string {
  return policy.window?.timeZone ?? 'UTC';
}

/** Sums the days in the health window, minus what the resume day had counted before the resume. */
export function windowTotals(carry: InboxCarry, policy: InboxPolicy, now: number): DayStats {
  const from = dayKey(now - (policy.healthWindowDays - 1) * DAY_MS, zone(policy));
  const resumed = carry.resumedFrom;
  const total = emptyDay();
  for (const [day, s] of Object.entries(carry.days)) {
    if (day < from || (resumed !== null && day < resumed.day)) continue;
    const base = resumed !== null && day === resumed.day ? resumed.base : emptyDay();
    for (const k of Object.keys(total) as Array<keyof DayStats>) total[k] += Math.max(0, s[k] - base[k]);
  }
  return total;
}

export function healthOf(carry: InboxCarry, policy: InboxPolicy, createdAt: number, now: number): InboxHealth {
  const t = windowTotals(carry, policy, now);
  const bounces = t.hardBounces + t.blocks;
  const rate = (n: number) => (t.sent > 0 ? n / t.sent : 0);
  const inputs = {
    sent: t.sent,
    bounces,
    complaints: t.complaints,
    replies: t.replies,
    bounceRate: rate(bounces),
    complaintRate: rate(t.complaints),
    replyRate: rate(t.replies),
    ageDays: Math.max(0, Math.floor((now - createdAt) / DAY_MS)),
  };
  // Too few messages to judge: the rate parts are not held against a new or quiet inbox.
  const judged = t.sent >= policy.healthMinSample;
  const parts = {
    bounce: judged ? 40 * clamp01(1 - inputs.bounceRate / BOUNCE_ZERO) : 40,
    complaint: judged ? 30 * clamp01(1 - inputs.complaintRate / COMPLAINT_ZERO) : 30,
    reply: judged ? 20 * clamp01(inputs.replyRate / REPLY_FULL) : 20,
    age: 10 * clamp01(inputs.ageDays / AGE_FULL_DAYS),
  };
  const round1 = (x: number) => Math.round(x * 10) / 10;
  return {
    score: Math.round(parts.bounce + parts.complaint + parts.reply + parts.age),
    inputs,
    parts: { bounce: round1(parts.bounce), complaint: round1(parts.complaint), reply: round1(parts.reply), age: round1(parts.age) },
  };
}
