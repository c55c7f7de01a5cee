// Where the next slot of an inbox goes: after the last one plus the gap (with jitter), inside the
// sending window, on the first day that still has room under that day's limit. Pure: the inbox
// workflow calls it inside its update handler, so a slot is granted in one workflow task.
import type { InboxCarry, InboxPause, InboxPolicy } from '../contract.js';
import { dailyLimit, rampDay } from './limits.js';
import { dayKey, startOfNextDay } from './time.js';
import { nextOpen } from './window.js';
import { zone } from './health.js';

/** A lead told to wait asks again after this long at most (a pause may be lifted early). */
export const WAIT_RECHECK_MS = 30 * 60_000;
/** Days searched for room; a full inbox answers "wait" beyond that. */
const HORIZON_DAYS = 60;

export type Plan = { kind: 'slot'; sendAt: number; day: string } | { kind: 'wait'; reason: string; retryAt: number };

export function activePause(pause: InboxPause | null, now: number): InboxPause | null {
  return pause !== null && (pause.until === null || pause.until > now) ? pause : null;
}

export interface PlanInput {
  policy: InboxPolicy;
  createdAt: number;
  carry: InboxCarry;
  healthScore: number;
  now: number;
  recipientTimeZone: string | null;
  /** 0..1, from the workflow's seeded random: the share of the jitter to add. */
  jitter: number;
}

export function planSlot(p: PlanInput): Plan {
  const pause = activePause(p.carry.pause, p.now);
  if (pause !== null) {
    const until = pause.until === null ? 'until an operator resumes it' : `until ${new Date(pause.until).toISOString()}`;
    return { kind: 'wait', reason: `inbox paused ${until}: ${pause.reason}`, retryAt: Math.min(pause.until ?? Infinity, p.now + WAIT_RECHECK_MS) };
  }
  const gap = (p.policy.minGapSeconds + p.jitter * p.policy.jitterSeconds) * 1000;
  let t = p.carry.lastSlotAt === null ? p.now : Math.max(p.now, p.carry.lastSlotAt + gap);
  const tz = zone(p.policy);
  for (let i = 0; i < HORIZON_DAYS; i++) {
    const open = nextOpen(p.policy.window, t, p.recipientTimeZone);
    if (open === null) return { kind: 'wait', reason: 'the sending window never opens', retryAt: p.now + WAIT_RECHECK_MS };
    const day = dayKey(open, tz);
    const limit = dailyLimit(p.policy, rampDay(p.createdAt, open, tz), p.healthScore);
    if ((p.carry.days[day]?.granted ?? 0) < limit) return { kind: 'slot', sendAt: Math.round(open), day };
    t = startOfNextDay(open, tz);
  }
  return { kind: 'wait', reason: `no room in the next ${HORIZON_DAYS} days`, retryAt: p.now + WAIT_RECHECK_MS };
}
