// What the inbox does about its own health after each event, by the runbook: a block bounce
// pauses it 24 hours; a bounce rate over 5% pauses it at once (7 days) and over 3% warns; a score
// below 50 pauses it 7 days (below 80 the daily limit drops, see limits.ts). Pure.
import type { InboxEventKind, InboxHealth, InboxPause, InboxPolicy } from '../contract.js';
import { BOUNCE_PAUSE, BOUNCE_WARN, DAY_MS, PAUSE_SCORE, REDUCED_LIMIT, REDUCED_SCORE } from './health.js';
import { activePause } from './plan.js';

export const BLOCK_PAUSE_MS = DAY_MS;
export const HEALTH_PAUSE_MS = 7 * DAY_MS;

export interface Verdict {
  pause: InboxPause | null;
  warnings: string[];
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

export function judge(policy: InboxPolicy, health: InboxHealth, current: InboxPause | null, event: InboxEventKind | null, now: number): Verdict {
  const warnings: string[] = [];
  const judged = health.inputs.sent >= policy.healthMinSample;
  if (judged && health.inputs.bounceRate > BOUNCE_WARN) warnings.push(`bounce rate ${pct(health.inputs.bounceRate)} is over ${pct(BOUNCE_WARN)}`);
  if (health.score < REDUCED_SCORE) warnings.push(`health ${health.score} is below ${REDUCED_SCORE}: at most ${REDUCED_LIMIT} messages a day`);

  const wanted: InboxPause | null =
    event === 'block_bounce'
      ? { until: now + BLOCK_PAUSE_MS, reason: 'a provider blocked a message (5.7.x / spam filter): paused 24 hours', by: 'inbox', at: now, kind: 'block' }
      : judged && health.inputs.bounceRate > BOUNCE_PAUSE
        ? {
            until: now + HEALTH_PAUSE_MS,
            reason: `bounce rate ${pct(health.inputs.bounceRate)} is over ${pct(BOUNCE_PAUSE)}`,
            by: 'inbox',
            at: now,
            kind: 'bounce_rate',
          }
        : health.score < PAUSE_SCORE
          ? { until: now + HEALTH_PAUSE_MS, reason: `health ${health.score} is below ${PAUSE_SCORE}`, by: 'inbox', at: now, kind: 'health' }
          : null;
  const active = activePause(current, now);
  if (wanted === null) return { pause: current, warnings };
  // An operator's open-ended pause, or a longer one, is never shortened by the inbox's own.
  if (active !== null && (active.until === null || active.until >= (wanted.until ?? Infinity))) return { pause: current, warnings };
  return { pause: wanted, warnings };
}
