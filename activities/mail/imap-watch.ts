// Watches one IMAP mailbox and hands every new message, in UID order, to a callback, resuming
// from a checkpoint. Independent of Temporal: the activity that wraps it heartbeats/saves the
// checkpoints it reports and fails (to be retried from the last checkpoint) when it rejects.
//
// Guarantees, relative to the checkpoints reported through onCheckpoint:
// - every message with a UID above the checkpoint is handed to `handle` (nothing is skipped);
// - a message at or below a reported checkpoint is never handed over again in this UIDVALIDITY;
// - a message whose `handle` (or afterProcess marking) did not finish may be handed over again
//   after a reconnect or a retry, so delivery is at-least-once and `handle` must be idempotent
//   (lead intake is: duplicate Message-IDs converge downstream).
//
// UIDVALIDITY: UIDs only mean something together with the mailbox's UIDVALIDITY. When it differs
// from the checkpoint's (the mailbox was recreated, restored, or the server lost its state), the
// old UIDs say nothing about which messages were seen, so the watcher logs a warning, reports a
// checkpoint of { new UIDVALIDITY, lastUid: 0 } and processes the whole mailbox again; anything
// already processed is then deduplicated downstream.
//
// Connections: new mail arrives through IMAP IDLE (an EXISTS push, typically well under a second)
// and a safety poll every `pollIntervalMs` catches servers without IDLE and IDLE sessions that
// went silently dead. Any connection error or close is counted through onDisconnect and followed
// by a reconnect with exponential backoff (reset once a mailbox is open again) that resumes from
// the last checkpoint. Bad credentials and a missing mailbox are not connection trouble: the
// watcher rejects with them instead of retrying forever.
import { CallerError, FatalImapError } from './imap-errors.js';
import { MailboxSession, type SessionState } from './imap-session.js';
import { sleepUnlessAborted } from './wakeup.js';
import type { MailboxCheckpoint } from '../../workflows/mailbox-watcher/contract.js';
export type { MailboxCheckpoint };

export interface FetchedMessage {
  uid: number;
  uidValidity: string;
  /** The full RFC 822 source, exactly as stored on the server. */
  raw: Buffer;
  internalDate: Date | null;
  /** The envelope's Message-ID, angle brackets included (`<id@host>`), null when absent. */
  messageId: string | null;
}

/** What afterProcess did to a message; null where nothing was configured or the server refused. */
export interface ProcessedAction {
  flagged: string | null;
  movedTo: string | null;
}

/** Same shape as Temporal's activity `log`, so the activity can pass that through as is. */
export interface WatchLogger {
  info(message: string, attrs?: Record<string, unknown>): void;
  warn(message: string, attrs?: Record<string, unknown>): void;
  error(message: string, attrs?: Record<string, unknown>): void;
}

export interface WatchOptions {
  imap: { host: string; port: number; secure: boolean; user?: string; password?: string };
  /** Mailbox path, e.g. 'INBOX'. */
  mailbox: string;
  /**
   * Resume after this UID. Null means "no history": every message currently in the mailbox is
   * processed, read or unread (a lead mail someone already opened in a mail client is still a lead).
   */
  checkpoint: MailboxCheckpoint | null;
  /** Called in UID order, one at a time; the message counts as processed only once it resolves. */
  handle: (msg: FetchedMessage) => Promise<void>;
  /**
   * Called after each processed message (and once with lastUid 0 after a UIDVALIDITY change).
   * Awaited; the caller persists or heartbeats it.
   */
  onCheckpoint: (cp: MailboxCheckpoint) => void | Promise<void>;
  /** Called each time a connection is lost or cannot be made, before the backoff; for a metric. */
  onDisconnect?: (err: Error | null) => void;
  /** Called after a message's checkpoint, with what afterProcess did to it. */
  onProcessed?: (msg: FetchedMessage, action: ProcessedAction) => void | Promise<void>;
  /**
   * Marks processed mail: `flag` (e.g. '\\Seen' or '$LeadflowProcessed') is added, then the
   * message is moved to `moveTo` (created at connect when missing). Done before the checkpoint,
   * so a marking cut off by a disconnect is retried along with the message. A server that
   * refuses (e.g. no custom keywords) only causes a warning: the lead itself was handled.
   */
  afterProcess?: { flag?: string; moveTo?: string };
  /**
   * Stops the watcher: an in-flight `handle` is awaited and checkpointed, then it logs out and
   * resolves. IMAP commands still hanging 5 s after the abort are cut off by closing the socket.
   */
  signal: AbortSignal;
  /** Safety poll interval, also the polling fallback without IDLE; default 30 s. */
  pollIntervalMs?: number;
  /** Reconnect backoff; default 1 s doubling to 60 s, with ±20 % jitter. */
  reconnect?: { initialMs: number; maxMs: number };
  log?: WatchLogger;
}

const silent: WatchLogger = { info() {}, warn() {}, error() {} };

/**
 * Watches until `signal` aborts and resolves with the last checkpoint (null when the mailbox was
 * never opened and no checkpoint was given). Rejects with the original error when `handle`,
 * `onCheckpoint` or `onProcessed` throws (the checkpoint then stays at the previous message),
 * and with a FatalImapError for bad credentials or a missing mailbox.
 */
export async function watchMailbox(opts: WatchOptions): Promise<MailboxCheckpoint | null> {
  const log = opts.log ?? silent;
  const pollIntervalMs = opts.pollIntervalMs ?? 30_000;
  const initialMs = opts.reconnect?.initialMs ?? 1_000;
  const maxMs = Math.max(opts.reconnect?.maxMs ?? 60_000, initialMs);
  if (!(pollIntervalMs > 0) || !(initialMs > 0)) throw new RangeError('pollIntervalMs and reconnect.initialMs must be positive');

  const state: SessionState = { checkpoint: opts.checkpoint === null ? null : { ...opts.checkpoint } };
  let backoffMs = initialMs;
  while (!opts.signal.aborted) {
    const session = new MailboxSession({ ...opts, pollIntervalMs, log }, state);
    let failure: unknown = null;
    try {
      await session.run(() => {
        backoffMs = initialMs;
      });
    } catch (err) {
      failure = err;
    }
    await session.close();
    if (failure === null) break; // run() only returns normally once aborted
    if (failure instanceof CallerError) throw failure.original;
    if (failure instanceof FatalImapError) throw failure;
    if (opts.signal.aborted) break; // the abort grace cut the connection: not a disconnect

    const err = session.disconnectError(failure);
    try {
      opts.onDisconnect?.(err);
    } catch (cbErr) {
      log.warn('onDisconnect callback threw; ignored', { error: String(cbErr) });
    }
    // Jitter keeps many watchers of one server from reconnecting in lockstep after it restarts.
    const waitMs = Math.round(backoffMs * (0.8 + Math.random() * 0.4));
    log.warn('IMAP connection lost or refused; reconnecting', { mailbox: opts.mailbox, error: err?.message ?? 'connection closed', retryInMs: waitMs });
    await sleepUnlessAborted(waitMs, opts.signal);
    backoffMs = Math.min(backoffMs * 2, maxMs);
  }
  return state.checkpoint === null ? null : { ...state.checkpoint };
}

export { FatalImapError } from './imap-errors.js';
