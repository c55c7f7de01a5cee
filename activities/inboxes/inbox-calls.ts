// How the slot activities call an inbox workflow: each call bounded by the activity attempt's own
// time, and a worker's updates to one inbox held to a few in flight (inbox-batch.ts).
//
// Why. The server admits at most 10 updates in flight per workflow (history.maxInFlightUpdates;
// Temporal Cloud's limit too) and refuses the rest with RESOURCE_EXHAUSTED, which the client
// retries with backoff for ~45 s. A herd of leads asking one inbox at once (a burst of new leads,
// every waiting lead at the end of an emergency stop) then turned into a retry storm: the inbox's
// workflow tasks timed out under it, the server cleared its update registry and aborted every
// admitted update, which were retried again, and the activities' 30 s timeouts left their client
// calls retrying beside the next attempt. Found by the emergency-stop test with 200 leads: after
// the resume the inbox granted nothing for minutes. Queued here, one worker never exceeds the
// limit, and the inbox answers a steady stream instead. Since then the requests queued there also
// share updates (inbox-batch.ts).
import { Context } from '@temporalio/activity';

/** A worker's updates in flight to one inbox workflow: below the server's 10, leaving room for other workers and the API. */
export const UPDATES_IN_FLIGHT_PER_INBOX = 4;

/** The end of this attempt, less a margin (a call still running after it would race the next attempt). */
export function attemptDeadline(): number {
  let timeoutMs = 30_000;
  try {
    timeoutMs = Context.current().info.startToCloseTimeoutMs || timeoutMs;
  } catch {
    // outside an activity (a test calling the function directly): the default
  }
  return Date.now() + Math.max(1_000, timeoutMs - 2_000);
}

export class AttemptTimeUpError extends Error {
  override readonly name = 'AttemptTimeUpError';
}
