// How many messages an inbox may send on a given day: the warm-up ramp, the operator's cap, and
// the health cut. Pure.
import type { InboxPolicy } from '../contract.js';
import { DAY_MS, REDUCED_LIMIT, REDUCED_SCORE } from './health.js';
import { startOfDay } from './time.js';

/** 1-based day of the ramp on which `t` falls (day 1 = the day the inbox was created). */
export function rampDay(createdAt: number, t: number, timeZone: string): number {
  return Math.max(0, Math.round((startOfDay(t, timeZone) - startOfDay(createdAt, timeZone)) / DAY_MS)) + 1;
}

export function rampLimit(policy: InboxPolicy, day: number): number {
  if (policy.ramp.length === 0) return Number.POSITIVE_INFINITY;
  const week = Math.floor((day - 1) / 7);
  return policy.ramp[Math.min(week, policy.ramp.length - 1)] ?? Number.POSITIVE_INFINITY;
}

export function dailyLimit(policy: InboxPolicy, day: number, healthScore: number): number {
  const limit = Math.min(policy.dailyCap, rampLimit(policy, day));
  return healthScore < REDUCED_SCORE ? Math.min(limit, REDUCED_LIMIT) : limit;
}
