// A workflow query (or update) is answered by a worker; with none polling (down, or backlogged)
// the server holds it for tens of seconds, an update without end. Every route that adds live
// state to a stored view, or hands a stored change to a running workflow (PATCH /inboxes/:id),
// asks through here: bounded by a gRPC deadline, and with a verdict on why no answer came.
import { isGrpcDeadlineError, type Client } from '@temporalio/client';

export type Bounded<T> = { ok: true; value: T } | { ok: false; timedOut: boolean; error: unknown };

/**
 * Runs `ask` under a deadline of `timeoutMs`. `timedOut` is true for a DEADLINE_EXCEEDED error and
 * also for any error that arrives at the deadline: the server shortens a propagated deadline and,
 * when its own context runs out first, may answer with another status (seen on a loaded CI machine:
 * "Failed to query Workflow" after 2,031 ms of a 2,000 ms bound).
 */
export async function boundedQuery<T>(client: Client, timeoutMs: number, ask: () => Promise<T>): Promise<Bounded<T>> {
  const start = performance.now();
  try {
    return { ok: true, value: await client.withDeadline(Date.now() + timeoutMs, ask) };
  } catch (error) {
    const atDeadline = performance.now() - start >= timeoutMs * 0.9;
    return { ok: false, timedOut: isGrpcDeadlineError(error) || atDeadline, error };
  }
}

/** The error's message, for a `stateError`-style explanation. */
export const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** Why `who` (e.g. "the lead's workflow") gave no live answer, in the words every read route uses. */
export function whyNoAnswer(who: string, timeoutMs: number, r: { timedOut: boolean; error: unknown }): string {
  if (r.timedOut) return `${who} did not answer within ${timeoutMs / 1000} s (no worker is polling its task queue, or it is backlogged)`;
  return `${who} could not be asked: ${errorText(r.error)}`;
}
