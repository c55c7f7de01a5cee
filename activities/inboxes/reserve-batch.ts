// A worker's slot requests to one inbox, gathered into reserveSlots updates (the batching pattern
// of temporalio/samples-typescript's batch-sliding-window, on the caller's side).
//
// Why. Each update to an inbox is a workflow task of that one workflow, and the server admits at
// most 10 in flight per workflow (see inbox-calls.ts), so one update per lead made one inbox the
// bottleneck of every burst: 4 in flight from a worker, each a round trip through the server and
// a workflow task. Measured with 200 leads started at once, the slot activity spent 1.8 s of the
// lead's 8 s waiting there. Requests that arrive while the inbox's updates are in flight now wait
// here and go together in the next one: the same 4 updates in flight carry up to 50 leads each.
//
// Exactly once is the inbox's: it answers a key it holds with the held slot, so a request
// repeated in two batches (an activity retried while its first attempt still waits) gets one
// slot, and a batch answered after an attempt gave up is found by that attempt's retry.
//
// During a rolling deploy an inbox run by a worker without the reserveSlots handler rejects the
// update (unknown name, before any state changes): the slot activities fail that attempt and
// retry, and a new worker answers.
import type { Client } from '@temporalio/client';
import { MAX_RESERVE_BATCH, reserveSlots, type InboxStart } from '../../temporal/inbox-client.js';
import type { SlotAnswer, SlotRequest } from '../../workflows/inbox/contract.js';
import { attemptDeadline, AttemptTimeUpError, UPDATES_IN_FLIGHT_PER_INBOX } from './inbox-calls.js';

interface Waiting {
  start: InboxStart;
  req: SlotRequest;
  deadline: number;
  settle: (r: { answer: SlotAnswer } | { error: unknown }) => void;
}

/** reserve(entityKey, start, req): the inbox's answer, within the caller's attempt. */
export function reserveBatcher(client: Client) {
  const inboxes = new Map<string, { active: number; waiting: Waiting[] }>();

  function pump(key: string): void {
    const q = inboxes.get(key);
    if (q === undefined) return;
    while (q.active < UPDATES_IN_FLIGHT_PER_INBOX && q.waiting.length > 0) {
      const now = Date.now();
      const batch = q.waiting.splice(0, MAX_RESERVE_BATCH).filter((w) => {
        if (now < w.deadline) return true;
        w.settle({ error: new AttemptTimeUpError(`no turn to ask inbox ${key} within this attempt`) });
        return false;
      });
      if (batch.length === 0) continue;
      q.active += 1;
      // The update may run until the last member's attempt ends; each member still answers its
      // own attempt at its own deadline (below), and a slot granted after that is held for its retry.
      const deadline = Math.max(...batch.map((w) => w.deadline));
      client
        .withDeadline(deadline, () =>
          reserveSlots(
            client,
            batch[0]!.start,
            batch.map((w) => w.req),
          ),
        )
        .then(
          (answers) => batch.forEach((w, i) => w.settle({ answer: answers[i]! })),
          (error: unknown) => batch.forEach((w) => w.settle({ error })),
        )
        .finally(() => {
          q.active -= 1;
          if (q.active === 0 && q.waiting.length === 0) inboxes.delete(key);
          else pump(key);
        });
    }
  }

  return function reserve(key: string, start: InboxStart, req: SlotRequest, deadline = attemptDeadline()): Promise<SlotAnswer> {
    return new Promise<SlotAnswer>((resolve, reject) => {
      let done = false;
      const timer = setTimeout(
        () => settle({ error: new AttemptTimeUpError(`inbox ${key} did not answer within this attempt`) }),
        Math.max(0, deadline - Date.now()),
      );
      function settle(r: { answer: SlotAnswer } | { error: unknown }): void {
        if (done) return;
        done = true;
        clearTimeout(timer);
        if ('answer' in r) resolve(r.answer);
        else reject(r.error instanceof Error ? r.error : new Error(String(r.error)));
      }
      const q = inboxes.get(key) ?? { active: 0, waiting: [] };
      inboxes.set(key, q);
      q.waiting.push({ start, req, deadline, settle });
      pump(key);
    });
  };
}
