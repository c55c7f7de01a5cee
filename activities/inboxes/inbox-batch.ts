// What a worker's slot activities tell one inbox, gathered into inboxOps updates (the batching
// pattern of temporalio/samples-typescript's batch-sliding-window, on the caller's side): slot
// requests, slots given back and what happened to messages.
//
// Why. Each update to an inbox is a workflow task of that one workflow, and the server admits at
// most 10 in flight per workflow (see inbox-calls.ts), so one update per lead made one inbox the
// bottleneck of every burst: 4 in flight from a worker, each a round trip through the server and
// a workflow task. Measured with 200 leads started at once, the slot activity spent 1.8 s of the
// lead's 8 s waiting there. Ops that arrive while the inbox's updates are in flight now wait here
// and go together in the next one: the same 4 updates in flight carry up to 50 ops each. Releases
// and events were signals once; a signal landing during the inbox's continue-as-new fails that
// task and held every slot request for seconds (contract.ts, inboxOpsUpdate). Only regular
// activities call here: a local activity must not wait for the inbox (activities/leads/journal.ts).
//
// Exactly once is the inbox's: it answers a key it holds with the held slot, ignores a release of
// a slot it no longer holds and counts an event id once, so an op repeated in two batches (an
// activity retried while its first attempt still waits) changes nothing twice.
//
// During a rolling deploy an inbox run by a worker without the inboxOps handler rejects the update
// (unknown name, before any state changes): the slot activities fail that attempt and retry, and a
// new worker answers.
import type { Client } from '@temporalio/client';
import { applyInboxOps, MAX_INBOX_OPS, type InboxStart } from '../../temporal/inbox-client.js';
import type { InboxOp, InboxOpAnswer, SlotAnswer, SlotRequest } from '../../workflows/inbox/contract.js';
import { attemptDeadline, AttemptTimeUpError, UPDATES_IN_FLIGHT_PER_INBOX } from './inbox-calls.js';

type Settled = { answer: InboxOpAnswer } | { error: unknown };

interface Waiting {
  start: InboxStart;
  op: InboxOp;
  deadline: number;
  settle: (r: Settled) => void;
}

export interface InboxBatcher {
  /** The inbox's answer to a slot request, within the caller's attempt. */
  reserve: (key: string, start: InboxStart, req: SlotRequest, deadline?: number) => Promise<SlotAnswer>;
  /** A release or an event, applied by the inbox within the caller's attempt. */
  tell: (key: string, start: InboxStart, op: Exclude<InboxOp, { op: 'reserve' }>, deadline?: number) => Promise<void>;
}

/** One queue per inbox entity key; `key` names the entity (inboxEntityKey), `start` how to start it. */
export function inboxBatcher(client: Client): InboxBatcher {
  const inboxes = new Map<string, { active: number; waiting: Waiting[] }>();

  function pump(key: string): void {
    const q = inboxes.get(key);
    if (q === undefined) return;
    while (q.active < UPDATES_IN_FLIGHT_PER_INBOX && q.waiting.length > 0) {
      const now = Date.now();
      const batch = q.waiting.splice(0, MAX_INBOX_OPS).filter((w) => {
        if (now < w.deadline) return true;
        w.settle({ error: new AttemptTimeUpError(`no turn to ask inbox ${key} within this attempt`) });
        return false;
      });
      if (batch.length === 0) continue;
      q.active += 1;
      // The update may run until the last member's attempt ends; each member still answers its
      // own attempt at its own deadline (below), and a slot granted after that is held for its retry.
      const deadline = Math.max(...batch.map((w) => w.deadline));
      // Called inside a then: a client whose connection has closed throws at once, and that must
      // reach the batch's members as a failure, not escape as an uncaught error.
      Promise.resolve()
        .then(() =>
          client.withDeadline(deadline, () =>
            applyInboxOps(
              client,
              batch[0]!.start,
              batch.map((w) => w.op),
            ),
          ),
        )
        .then(
          (answers) => batch.forEach((w, i) => w.settle({ answer: answers[i] ?? null })),
          (error: unknown) => batch.forEach((w) => w.settle({ error })),
        )
        .finally(() => {
          q.active -= 1;
          if (q.active === 0 && q.waiting.length === 0) inboxes.delete(key);
          else pump(key);
        });
    }
  }

  function send(key: string, start: InboxStart, op: InboxOp, deadline: number): Promise<InboxOpAnswer> {
    return new Promise<InboxOpAnswer>((resolve, reject) => {
      let done = false;
      const timer = setTimeout(
        () => settle({ error: new AttemptTimeUpError(`inbox ${key} did not answer within this attempt`) }),
        Math.max(0, deadline - Date.now()),
      );
      function settle(r: Settled): void {
        if (done) return;
        done = true;
        clearTimeout(timer);
        if ('answer' in r) resolve(r.answer);
        else reject(r.error instanceof Error ? r.error : new Error(String(r.error)));
      }
      const q = inboxes.get(key) ?? { active: 0, waiting: [] };
      inboxes.set(key, q);
      q.waiting.push({ start, op, deadline, settle });
      pump(key);
    });
  }

  return {
    async reserve(key, start, req, deadline = attemptDeadline()) {
      const answer = await send(key, start, { op: 'reserve', req }, deadline);
      if (answer === null) throw new Error(`inbox ${key} gave no answer to slot request ${req.key}`);
      return answer;
    },
    async tell(key, start, op, deadline = attemptDeadline()) {
      await send(key, start, op, deadline);
    },
  };
}
