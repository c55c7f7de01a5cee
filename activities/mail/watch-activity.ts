// The Temporal activity around the IMAP watcher: resumes from the newest checkpoint (database,
// then heartbeat, then workflow input), hands each message to ingest, checkpoints it in the DB
// and the heartbeat, and returns at the end of its run window so the workflow can roll over.
import { arrivalKey } from '../../domain/ids/index.js';
import { Context, log } from '@temporalio/activity';
import type { Kysely } from 'kysely';
import { adfImapDisconnections } from '../../intake/metrics.js';
import type { Ingest } from '../../intake/ingest.js';
import { getMailboxCheckpoint, saveMailboxCheckpoint, type Database } from '../../db/index.js';
import type { MailboxCheckpoint } from '../../workflows/mailbox-watcher/contract.js';
import { watchMailbox as watch, type WatchOptions } from './imap-watch.js';

export interface MailActivityDeps {
  /** The environment's IMAP server (IMAP_*); absent when only registry inboxes are watched. */
  imap?: WatchOptions['imap'];
  /** A registry inbox's server and login, secrets opened (activities/mail/inbox-imap.ts). */
  inboxImap?: (inboxId: string) => Promise<WatchOptions['imap']>;
  db: Kysely<Database>;
  ingest: Ingest;
  afterProcess?: WatchOptions['afterProcess'];
  pollIntervalMs?: number;
  /** How long one activity run watches before returning (default 10 minutes). */
  runForMs?: number;
}

export interface WatchMailboxArgs {
  mailboxId: string;
  mailbox: string;
  checkpoint: MailboxCheckpoint | null;
  /** Set for a registry inbox: its credentials are resolved here, so they never enter workflow history. */
  inboxId?: string;
}

function newest(...cps: Array<MailboxCheckpoint | null | undefined>): MailboxCheckpoint | null {
  // The first present one decides the UIDVALIDITY; later ones only help within the same one.
  const present = cps.filter((c): c is MailboxCheckpoint => c !== null && c !== undefined);
  const first = present[0];
  if (first === undefined) return null;
  return present.filter((c) => c.uidValidity === first.uidValidity).reduce((a, b) => (b.lastUid > a.lastUid ? b : a));
}

export function createMailActivities(deps: MailActivityDeps) {
  /** Errors here are retried by the workflow with backoff until an operator fixes the inbox or the configuration. */
  async function serverFor(args: WatchMailboxArgs): Promise<WatchOptions['imap']> {
    if (args.inboxId === undefined) {
      if (deps.imap === undefined) throw new Error(`mailbox ${args.mailboxId}: IMAP_HOST is not configured on this worker`);
      return deps.imap;
    }
    if (deps.inboxImap === undefined) throw new Error(`inbox ${args.inboxId}: this worker has no inbox registry`);
    return deps.inboxImap(args.inboxId);
  }

  async function watchMailbox(args: WatchMailboxArgs): Promise<MailboxCheckpoint | null> {
    const ctx = Context.current();
    const fromHeartbeat = ctx.info.heartbeatDetails as MailboxCheckpoint | undefined;
    let current = newest(await getMailboxCheckpoint(deps.db, args.mailboxId), fromHeartbeat, args.checkpoint);
    log.info('watching mailbox', { mailboxId: args.mailboxId, from: current });
    const imap = await serverFor(args);

    const stop = new AbortController();
    const onCancel = () => stop.abort();
    ctx.cancellationSignal.addEventListener('abort', onCancel, { once: true });
    const window = setTimeout(() => stop.abort(), deps.runForMs ?? 10 * 60_000);
    // IDLE can sit quietly for hours: keep heartbeating so the server knows the worker is alive
    // (and so a cancellation, which only arrives with a heartbeat response, reaches us).
    const beat = setInterval(() => ctx.heartbeat(current ?? undefined), 5_000);
    try {
      const final = await watch({
        imap,
        mailbox: args.mailbox,
        checkpoint: current,
        signal: stop.signal,
        ...(deps.afterProcess !== undefined ? { afterProcess: deps.afterProcess } : {}),
        ...(deps.pollIntervalMs !== undefined ? { pollIntervalMs: deps.pollIntervalMs } : {}),
        log,
        handle: async (msg) => {
          await deps.ingest(msg.raw, {
            source: 'imap',
            sourceRef: `${args.mailboxId} uid ${msg.uid}`,
            arrivalKey: arrivalKey.imap(args.mailboxId, msg.uidValidity, msg.uid),
            receivedAt: msg.internalDate ?? new Date(),
            contentType: 'message/rfc822',
            mail: { mailbox: args.mailboxId, uidValidity: msg.uidValidity, uid: msg.uid },
          });
        },
        onCheckpoint: async (cp) => {
          current = cp;
          await saveMailboxCheckpoint(deps.db, args.mailboxId, cp);
          ctx.heartbeat(cp);
        },
        onDisconnect: () => adfImapDisconnections.inc({ mailbox: args.mailboxId }),
      });
      return final ?? current;
    } finally {
      clearTimeout(window);
      clearInterval(beat);
      ctx.cancellationSignal.removeEventListener('abort', onCancel);
    }
  }
  return { watchMailbox };
}

export type MailActivities = ReturnType<typeof createMailActivities>;
