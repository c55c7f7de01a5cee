// The mailbox watcher's failure kinds: what reconnecting can fix, what it cannot, and what is
// the caller's own. imap-watch.ts decides between a reconnect and a rejection by these types.
import type { ImapFlowError } from 'imapflow';

/** Wraps an error thrown by the caller's callbacks: rethrown as is, never "fixed" by reconnecting. */
export class CallerError extends Error {
  constructor(readonly original: unknown) {
    super(`mailbox watcher callback failed: ${String(original)}`);
  }
}

/** A failure reconnecting cannot fix (bad credentials, missing mailbox): the watcher rejects. */
export class FatalImapError extends Error {}

/** The connection closed (server gone, socket timeout, our own abort) rather than a command failing. */
export class ConnectionClosed extends Error {}

/** imapflow's own messages are generic ("Command failed"); the server's text says why. */
export function describeImapError(err: unknown): string {
  const e = err as ImapFlowError;
  return [e.message, e.serverResponseCode, e.responseText].filter((x) => x !== undefined && x !== '').join(' - ');
}
