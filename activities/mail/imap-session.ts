// One IMAP connection's worth of mailbox watching: connect, open, drain everything above the
// checkpoint, IDLE until something changes, repeat. It ends by rejecting when the connection
// does (imap-watch.ts reconnects) or by resolving once the watcher is aborted.
import { ImapFlow, type ImapFlowError } from 'imapflow';
import { CallerError, ConnectionClosed, describeImapError as describe, FatalImapError } from './imap-errors.js';
import type { FetchedMessage, MailboxCheckpoint, ProcessedAction, WatchLogger, WatchOptions } from './imap-watch.js';
import { delay, Wakeup } from './wakeup.js';

export interface SessionState {
  checkpoint: MailboxCheckpoint | null;
}

type SessionOptions = WatchOptions & { pollIntervalMs: number; log: WatchLogger };

// How long a connection may stay silent while a command waits for its answer before imapflow
// declares it dead (imapflow's default is 5 min). The mailbox lock held for the whole session
// makes imapflow probe a merely quiet connection (slow handler, IDLE) with a NOOP instead.
const SOCKET_TIMEOUT_MS = 60_000;
/**
 * A wake whose mailbox grew by at most this many messages since the last listing fetches them,
 * sources and all, in the one command that also lists them: one round trip fewer per new lead
 * mail (on a remote server, its latency; on the test server, a ~44 ms Nagle stall). A larger
 * backlog is listed first and fetched one message at a time, so a mailbox full of unprocessed
 * mail (first start, a long outage) is never held in memory at once.
 */
const FETCH_WHOLE_AT_MOST = 20;
const MESSAGE_QUERY = { uid: true, source: true, internalDate: true, envelope: true } as const;
type Fetched = Awaited<ReturnType<ImapFlow['fetchOne']>>;
const ABORT_GRACE_MS = 5_000;
const LOGOUT_TIMEOUT_MS = 2_000;

export class MailboxSession {
  private readonly client: ImapFlow;
  private readonly wake = new Wakeup();
  private closed = false;
  private connectionError: Error | null = null;
  private inCallback = false;
  private graceTimer: NodeJS.Timeout | undefined;
  /** Messages the server reported arriving (EXISTS growth) in this session, and their count at the last listing. */
  private arrivals = 0;
  private arrivalsListed: number | null = null;

  constructor(
    private readonly opts: SessionOptions,
    private readonly state: SessionState,
  ) {
    const { host, port, secure, user, password } = opts.imap;
    this.client = new ImapFlow({
      host,
      port,
      secure,
      auth: user === undefined ? undefined : { user, pass: password ?? '' },
      logger: false,
      // IDLE is started explicitly right after each drain: auto-IDLE would wait 15 s of quiet.
      disableAutoIdle: true,
      socketTimeout: SOCKET_TIMEOUT_MS,
      connectionTimeout: 30_000,
    });
    // Without an 'error' listener an EventEmitter error would crash the process.
    this.client.on('error', (err: Error) => {
      this.connectionError ??= err;
    });
    this.client.on('close', () => {
      this.closed = true;
      this.wake.fire();
    });
    this.client.on('exists', (e) => {
      this.arrivals += Math.max(0, e.count - e.prevCount);
      this.wake.fire();
    });
  }

  /** Resolves once the signal aborts; rejects when the connection fails. */
  async run(onMailboxOpen: () => void): Promise<void> {
    const { signal, log } = this.opts;
    const onAbort = () => {
      this.wake.fire();
      this.armAbortGrace();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    let pollTimer: NodeJS.Timeout | undefined;
    try {
      if (!(await this.connect())) return;
      const moveTo = this.opts.afterProcess?.moveTo;
      if (moveTo !== undefined) await this.ensureMailbox(moveTo);
      await this.openMailbox();
      onMailboxOpen();
      const idle = this.client.capabilities.has('IDLE');
      if (!idle) log.warn('IMAP server has no IDLE; polling only', { everyMs: this.opts.pollIntervalMs });
      pollTimer = setInterval(() => this.wake.fire(), this.opts.pollIntervalMs);
      for (;;) {
        this.wake.clear();
        await this.drain();
        if (signal.aborted) return;
        this.throwIfClosed();
        // Runs until the next command (the next drain) breaks it; its end is of no interest,
        // and a connection loss shows up through 'close' instead.
        if (idle) void this.client.idle().catch(() => false);
        await this.wake.wait();
        if (signal.aborted) return;
        this.throwIfClosed();
      }
    } finally {
      clearInterval(pollTimer);
      clearTimeout(this.graceTimer);
      signal.removeEventListener('abort', onAbort);
    }
  }

  /** Logs out politely when possible, never waiting long; safe to call in any state. */
  async close(): Promise<void> {
    if (this.client.usable) await Promise.race([this.client.logout().catch(() => {}), delay(LOGOUT_TIMEOUT_MS)]);
    this.client.close();
  }

  /** The error to report for a lost connection: null when it simply closed. */
  disconnectError(failure: unknown): Error | null {
    if (this.connectionError !== null) return this.connectionError;
    if (failure instanceof ConnectionClosed) return null;
    return failure instanceof Error ? failure : new Error(String(failure));
  }

  /** False when aborted while connecting. */
  private async connect(): Promise<boolean> {
    const { signal } = this.opts;
    const connecting = this.client.connect();
    let onAbort = () => {};
    const aborted = new Promise<void>((resolve) => {
      onAbort = resolve;
      signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      await Promise.race([connecting, aborted]);
    } catch (err) {
      if ((err as ImapFlowError).authenticationFailed)
        throw new FatalImapError(`IMAP login failed for ${this.opts.imap.user ?? '(no user)'}: ${describe(err)}`, { cause: err });
      throw err;
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
    if (signal.aborted) {
      connecting.catch(() => {}); // abandoned: its outcome no longer matters
      return false;
    }
    return true;
  }

  private async ensureMailbox(path: string): Promise<void> {
    const status = await this.client.status(path, { messages: true }).catch(() => false as const);
    if (status !== false) return;
    try {
      await this.client.mailboxCreate(path);
      this.opts.log.info('created the afterProcess.moveTo mailbox', { mailbox: path });
    } catch (err) {
      this.opts.log.warn('could not create the afterProcess.moveTo mailbox; moves will fail', { mailbox: path, error: String(err) });
    }
  }

  private async openMailbox(): Promise<void> {
    const { mailbox, log } = this.opts;
    try {
      // Held (never released) for the whole session: imapflow then treats a quiet connection
      // as expected, probing it with NOOP instead of failing it during a slow handler.
      await this.client.getMailboxLock(mailbox);
    } catch (err) {
      const e = err as ImapFlowError;
      if (e.mailboxMissing || e.responseStatus === 'NO') throw new FatalImapError(`cannot open mailbox ${mailbox}: ${describe(e)}`, { cause: err });
      throw err;
    }
    const uidValidity = this.currentUidValidity();
    const cp = this.state.checkpoint;
    if (cp === null) {
      this.state.checkpoint = { uidValidity, lastUid: 0 };
    } else if (cp.uidValidity !== uidValidity) {
      log.warn('mailbox UIDVALIDITY changed: old UIDs are meaningless, processing the whole mailbox again', {
        mailbox,
        previous: cp.uidValidity,
        current: uidValidity,
        previousLastUid: cp.lastUid,
      });
      this.state.checkpoint = { uidValidity, lastUid: 0 };
      await this.callback(() => this.opts.onCheckpoint({ uidValidity, lastUid: 0 }));
    }
  }

  private currentUidValidity(): string {
    const mb = this.client.mailbox;
    if (mb === false) throw new ConnectionClosed('mailbox no longer selected');
    return String(mb.uidValidity);
  }

  /** Processes every message above the checkpoint, in UID order, until none is left or aborted. */
  private async drain(): Promise<void> {
    const cp = this.state.checkpoint;
    if (cp === null) throw new Error('drain before the mailbox was opened');
    // A mid-session UIDVALIDITY change (imapflow re-selects): start over through a reconnect,
    // which goes through the reset in openMailbox().
    if (this.currentUidValidity() !== cp.uidValidity) throw new Error('mailbox UIDVALIDITY changed while connected');
    const from = cp.lastUid + 1;
    // Everything listed now is processed by the end of this drain; what arrives later is counted
    // from here (an arrival during the command counts twice at worst, which only errs towards listing).
    const small = this.arrivalsListed !== null && this.arrivals - this.arrivalsListed <= FETCH_WHOLE_AT_MOST;
    this.arrivalsListed = this.arrivals;
    // `n:*` always includes the highest UID even when that is below n (RFC 3501: a range is
    // unordered and `*` is the largest UID in use), so an idle mailbox answers with the last
    // processed message; the filter keeps it from being processed again.
    const above = <T extends { uid: number }>(ms: T[]) =>
      [...new Map(ms.filter((m) => m.uid >= from).map((m) => [m.uid, m])).values()].sort((a, b) => a.uid - b.uid);
    if (small) {
      // Whole, in one command that completes before any `handle` runs (no command stays open).
      const whole = above(await this.client.fetchAll(`${from}:*`, MESSAGE_QUERY, { uid: true }));
      for (const msg of whole) {
        if (this.opts.signal.aborted) return;
        await this.processOne(msg.uid, cp.uidValidity, msg);
      }
      return;
    }
    const listed = await this.client.fetchAll(`${from}:*`, { uid: true }, { uid: true });
    const uids = above(listed).map((m) => m.uid);
    for (const uid of uids) {
      if (this.opts.signal.aborted) return;
      await this.processOne(uid, cp.uidValidity);
    }
  }

  private async processOne(uid: number, uidValidity: string, prefetched?: Fetched): Promise<void> {
    const { log } = this.opts;
    // Fetched one at a time (not one streaming FETCH for the batch) so that no command is open
    // while `handle` runs, which leaves the connection free for flag/move and NOOP probes.
    const msg = prefetched ?? (await this.client.fetchOne(String(uid), MESSAGE_QUERY, { uid: true }));
    if (msg === false || msg.source === undefined) {
      // Expunged between listing and fetching; UIDs are never reused, so nothing is lost.
      log.warn('message vanished before it could be fetched; skipped', { mailbox: this.opts.mailbox, uid });
      this.state.checkpoint = { uidValidity, lastUid: uid };
      return;
    }
    const internalDate = msg.internalDate === undefined ? null : new Date(msg.internalDate);
    const fetched: FetchedMessage = {
      uid,
      uidValidity,
      raw: msg.source,
      internalDate: internalDate !== null && !Number.isNaN(internalDate.getTime()) ? internalDate : null,
      messageId: msg.envelope?.messageId ?? null,
    };
    await this.callback(() => this.opts.handle(fetched));
    const action = await this.afterProcess(uid);
    const next = { uidValidity, lastUid: uid };
    this.state.checkpoint = next;
    await this.callback(() => this.opts.onCheckpoint({ ...next }));
    const onProcessed = this.opts.onProcessed;
    if (onProcessed !== undefined) await this.callback(() => onProcessed(fetched, action));
  }

  private async afterProcess(uid: number): Promise<ProcessedAction> {
    const { afterProcess, log, mailbox } = this.opts;
    const action: ProcessedAction = { flagged: null, movedTo: null };
    if (afterProcess?.flag !== undefined) {
      if (await this.client.messageFlagsAdd(String(uid), [afterProcess.flag], { uid: true })) action.flagged = afterProcess.flag;
      else log.warn('server did not set the processed flag', { mailbox, uid, flag: afterProcess.flag });
    }
    if (afterProcess?.moveTo !== undefined) {
      if (await this.client.messageMove(String(uid), afterProcess.moveTo, { uid: true })) action.movedTo = afterProcess.moveTo;
      else log.warn('server did not move the processed message', { mailbox, uid, moveTo: afterProcess.moveTo });
    }
    return action;
  }

  private async callback(fn: () => void | Promise<void>): Promise<void> {
    this.inCallback = true;
    try {
      await fn();
    } catch (err) {
      throw new CallerError(err);
    } finally {
      this.inCallback = false;
    }
  }

  /** After an abort, cuts off IMAP commands that hang, but never a running callback. */
  private armAbortGrace(): void {
    this.graceTimer = setTimeout(() => {
      if (this.inCallback) this.armAbortGrace();
      else this.client.close();
    }, ABORT_GRACE_MS);
  }

  private throwIfClosed(): void {
    if (this.closed) throw new ConnectionClosed('IMAP connection closed');
  }
}
