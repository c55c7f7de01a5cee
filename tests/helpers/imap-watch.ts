// The mailbox watcher under test: a watcher that records everything it reports, and the small
// waits and names the imap-watch test files share.
import { watchMailbox, type FetchedMessage, type MailboxCheckpoint, type ProcessedAction, type WatchOptions } from '../../activities/mail/imap-watch.js';
import type { MailServer, MailUser } from './mailserver.js';

export const user = (name: string): MailUser => ({ user: `${name}@example.com`, password: `${name}-pw`, email: `${name}@example.com` });

export async function waitFor(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Starts a watcher that records everything it reports; `handle` runs after recording. */
export function startWatch(server: MailServer, u: MailUser, overrides: Partial<WatchOptions> = {}) {
  const controller = new AbortController();
  const handled: FetchedMessage[] = [];
  const checkpoints: MailboxCheckpoint[] = [];
  const disconnects: Array<Error | null> = [];
  const processed: ProcessedAction[] = [];
  const warnings: string[] = [];
  const done = watchMailbox({
    mailbox: 'INBOX',
    checkpoint: null,
    pollIntervalMs: 60_000, // so that only IDLE can explain a fast pickup
    reconnect: { initialMs: 100, maxMs: 500 },
    onDisconnect: (err) => {
      disconnects.push(err);
    },
    onProcessed: (_msg, action) => {
      processed.push(action);
    },
    log: {
      info() {},
      warn: (m) => {
        warnings.push(m);
      },
      error: (m) => {
        warnings.push(m);
      },
    },
    signal: controller.signal,
    ...overrides,
    imap: { ...server.imap, user: u.user, password: u.password },
    handle: async (msg) => {
      handled.push(msg);
      await overrides.handle?.(msg);
    },
    onCheckpoint: async (cp) => {
      checkpoints.push(cp);
      await overrides.onCheckpoint?.(cp);
    },
  });
  done.catch(() => {}); // a failing test must not also die of an unhandled rejection
  const stop = () => {
    controller.abort();
    return done;
  };
  return { controller, handled, checkpoints, disconnects, processed, warnings, done, stop };
}

export const ids = (msgs: FetchedMessage[]) => msgs.map((m) => m.messageId);
