// One update per caller, at most `max` in flight to one inbox: how the slot activity asked an inbox
// before its requests were batched (activities/inboxes/inbox-batch.ts). Kept for the slot-grant
// bench, which measures the batcher beside it.
import type { Client } from '@temporalio/client';
import { attemptDeadline, AttemptTimeUpError, UPDATES_IN_FLIGHT_PER_INBOX } from '../../activities/inboxes/inbox-calls.js';

/** Calls to one inbox at most `max` at a time, first come first served, each within `deadline`. */
export function inboxCallQueue(client: Client, max = UPDATES_IN_FLIGHT_PER_INBOX) {
  const queues = new Map<string, { active: number; waiting: Array<() => void> }>();
  return async function call<T>(inbox: string, fn: () => Promise<T>, deadline = attemptDeadline()): Promise<T> {
    const q = queues.get(inbox) ?? { active: 0, waiting: [] };
    queues.set(inbox, q);
    if (q.active >= max) await new Promise<void>((resolve) => q.waiting.push(resolve));
    else q.active += 1;
    try {
      if (Date.now() >= deadline) throw new AttemptTimeUpError(`no turn to ask inbox ${inbox} within this attempt`);
      return await client.withDeadline(deadline, fn);
    } finally {
      const next = q.waiting.shift();
      if (next !== undefined) next();
      else if (--q.active === 0) queues.delete(inbox);
    }
  };
}
