// The campaign sequence: which step is due when. Pure, so the timing rules are unit-testable and
// the workflow loop only asks "what next, and when?".
import { msToNumber } from '@temporalio/common/lib/time.js';
import type { Duration } from '@temporalio/common';
import type { LeadCarry, SequenceStep } from './contract.js';

/** First touch at once, follow-ups two and five days later; then a week to answer. */
export const DEFAULT_SEQUENCE: readonly SequenceStep[] = [{ delay: 0 }, { delay: '2 days' }, { delay: '5 days' }];
export const FINAL_WAIT: Duration = '7 days';
/** A soft bounce (mailbox full, greylisting) is tried again after this, at most MAX_SOFT_RESENDS times. */
export const SOFT_BOUNCE_RETRY: Duration = '4 hours';
/** The runbook's soft-bounce retry, for leads that send through an inbox (a block also pauses the inbox 24 hours). */
export const SOFT_BOUNCE_RETRY_INBOX: Duration = '24 hours';
export const MAX_SOFT_RESENDS = 3;

export type NextAction = { kind: 'send'; step: number; dueAt: number; resend: boolean } | { kind: 'finish'; dueAt: number };

/** A duration from caller data: a clear message instead of a stuck workflow task. */
export function durationMs(d: Duration, what: string): number {
  let ms: number;
  try {
    ms = msToNumber(d);
  } catch (err) {
    throw new Error(`${what} ${JSON.stringify(d)} is not a valid duration: ${(err as Error).message}`);
  }
  if (ms < 0) throw new Error(`${what} ${JSON.stringify(d)} must not be negative`);
  return ms;
}

export function checkSequence(steps: readonly SequenceStep[]): void {
  if (steps.length === 0) throw new Error('sequence must have at least one step');
  steps.forEach((s, i) => {
    durationMs(s.delay, `sequence[${i}].delay`);
    if (s.channel !== undefined && s.channel !== 'email' && s.channel !== 'sms') throw new Error(`sequence[${i}].channel must be email or sms`);
    if (s.template !== undefined && (typeof s.template.body !== 'string' || s.template.body.trim() === ''))
      throw new Error(`sequence[${i}].template.body must not be empty`);
  });
}

/** The next thing the lead waits for: a (re)send of a step, or the end of the sequence. */
export function nextAction(steps: readonly SequenceStep[], c: LeadCarry, finalWait?: Duration): NextAction {
  if (c.pendingResend !== null) return { kind: 'send', step: c.pendingResend.step, dueAt: c.pendingResend.dueAt, resend: true };
  const from = c.lastSentAt ?? c.sequenceStartedAt;
  const next = steps[c.stepsSent];
  if (next === undefined) return { kind: 'finish', dueAt: from + durationMs(finalWait ?? FINAL_WAIT, 'final wait') };
  return { kind: 'send', step: c.stepsSent + 1, dueAt: from + durationMs(next.delay, `sequence[${c.stepsSent}].delay`), resend: false };
}
