// An inbox's health and today's limit when its workflow cannot be asked: from the figures it last
// saved (inbox_state), or, for an inbox that has never sent, from its policy alone. Both use the
// workflow's own pure helpers, so the numbers are the ones the workflow would report.
import type { InboxStateRow } from '../../db/index.js';
import { emptyCarry, type InboxCarry, type InboxPause, type InboxPolicy, type InboxStatus } from '../../workflows/inbox/contract.js';
import { DAY_MS, healthOf, zone } from '../../workflows/inbox/policy/health.js';
import { dailyLimit, rampDay } from '../../workflows/inbox/policy/limits.js';
import { activePause } from '../../workflows/inbox/policy/plan.js';
import { dayKey, startOfDay } from '../../workflows/inbox/policy/time.js';
import type { InboxHealthView } from '../schemas/stats.js';

/** What an inbox's figures derive from: its policy and day 0 of its ramp (0 for the implicit inboxes: age unknown, no ramp). */
export interface InboxBasis {
  inboxId: string;
  policy: InboxPolicy;
  createdAt: number;
}

const EMPTY_CARRY: InboxCarry = emptyCarry();

/** The day's figures for a health score: the ramp day and limit as InboxState.status() computes them. */
function dayFigures(policy: InboxPolicy, createdAt: number, score: number, now: number) {
  const tz = zone(policy);
  const day = rampDay(createdAt, now, tz);
  const limit = dailyLimit(policy, day, score);
  return { rampDay: day, today: dayKey(now, tz), dayStartedAt: startOfDay(now, tz), dailyLimit: Number.isFinite(limit) ? limit : policy.dailyCap };
}

/**
 * An inbox that has never sent: what its workflow would say on its first day. The rate parts are
 * not judged before any sends (full points); the age part follows the inbox's age, so a brand-new
 * registry inbox scores 90 and an implicit one (age unknown, counted as old) 100.
 */
export function statusFromPolicy(b: InboxBasis, now: number): InboxStatus {
  const health = healthOf(EMPTY_CARRY, b.policy, b.createdAt, now);
  const day = dayFigures(b.policy, b.createdAt, health.score, now);
  return { inboxId: b.inboxId, health, ...day, grantedToday: 0, sentToday: 0, remainingToday: day.dailyLimit, pause: null, warnings: [], policy: b.policy };
}

/**
 * The saved status, brought to `now`: a pause whose end has passed is over, and once the saved day
 * has ended (nothing sent since midnight, so nothing was saved) today starts empty under the
 * limit of today's ramp day.
 */
export function statusFromState(row: InboxStateRow, b: InboxBasis, now: number): InboxStatus {
  const saved = row.status as unknown as InboxStatus;
  const policy = saved.policy ?? b.policy;
  const pause = activePause(saved.pause ?? null, now);
  if (now < row.day_started_at.getTime() + DAY_MS) return { ...saved, inboxId: b.inboxId, policy, pause };
  const day = dayFigures(policy, b.createdAt, saved.health.score, now);
  return { ...saved, inboxId: b.inboxId, policy, pause, ...day, grantedToday: 0, sentToday: 0, remainingToday: day.dailyLimit };
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const pauseView = (p: InboxPause) => ({ kind: p.kind, reason: p.reason, by: p.by, at: new Date(p.at).toISOString(), until: iso(p.until) });

export function healthView(s: InboxStatus, source: InboxHealthView['source'], sourceDetail: string | null, savedAt: Date | null, now: number): InboxHealthView {
  const pause = activePause(s.pause, now);
  return {
    inboxId: s.inboxId,
    source,
    sourceDetail,
    savedAt: savedAt?.toISOString() ?? null,
    score: s.health.score,
    inputs: s.health.inputs,
    parts: s.health.parts,
    rampDay: s.rampDay,
    today: s.today,
    dailyLimit: s.dailyLimit,
    grantedToday: s.grantedToday,
    sentToday: s.sentToday,
    remainingToday: s.remainingToday,
    paused: pause !== null,
    pausedUntil: iso(pause?.until ?? null),
    pause: pause === null ? null : pauseView(pause),
    warnings: s.warnings,
  };
}
