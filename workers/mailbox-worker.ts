// The worker for mailbox watchers: their workflows and the long-running IMAP activity. Each
// watched mailbox holds one activity slot for as long as it is watched, hence the own queue.
import type { DataConverter } from '@temporalio/common';
import type { Client } from '@temporalio/client';
import { Worker, type NativeConnection } from '@temporalio/worker';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { createIngestor } from '../intake/ingest.js';
import type { IntentClassifier } from '../domain/mail/classify/types.js';
import { createMailActivities } from '../activities/mail/watch-activity.js';
import { inboxImapResolver } from '../activities/mail/inbox-imap.js';
import type { SecretBox } from '../domain/crypto/secret-box.js';
import type { Config, WorkerBuild } from '../config/index.js';
import type { Database } from '../db/index.js';
import { MAILBOX_TASK_QUEUE } from '../workflows/mailbox-watcher/contract.js';
import { workflowBundle } from './bundle.js';
import { workerVersionOptions } from './versioning.js';

export interface MailboxWorkerDeps {
  connection: NativeConnection;
  namespace: string;
  client: Client;
  /** The payload codec (temporal/data-converter.ts): the same one the clients use. */
  dataConverter?: DataConverter;
  /** Keys the opaque IDs of the leads this worker's ingest starts. */
  leadIdSecret: string;
  db: Kysely<Database>;
  /** The environment's IMAP server (IMAP_*); absent when only registry inboxes are watched. */
  imap?: Config['imap'];
  /** Registry inboxes' mailboxes: how many (for the slot count) and the key their secrets are sealed with. */
  inboxes?: { box: SecretBox; count: number };
  log: Logger;
  taskQueue?: string;
  /** Where started leads go (tests use their own queue). */
  leadTaskQueue?: string;
  runForMs?: number;
  /** Reply intent by the AI when configured (rules otherwise). */
  classifyIntent?: IntentClassifier;
  /** TEMPORAL_WORKER_BUILD_ID (and versioning): how this worker identifies its build (workers/versioning.ts). */
  build?: WorkerBuild;
  /** DEALER_INBOXES: the inboxes each dealer's ADF leads go out from. */
  dealerInboxes?: Config['dealerInboxes'];
}

export async function createMailboxWorker(deps: MailboxWorkerDeps): Promise<Worker> {
  const ingest = createIngestor({
    client: deps.client,
    db: deps.db,
    log: deps.log,
    leadIdSecret: deps.leadIdSecret,
    classifyIntent: deps.classifyIntent,
    dealerInboxes: deps.dealerInboxes,
    ...(deps.leadTaskQueue ? { taskQueue: deps.leadTaskQueue } : {}),
  });
  const { imap } = deps;
  return Worker.create({
    connection: deps.connection,
    namespace: deps.namespace,
    taskQueue: deps.taskQueue ?? MAILBOX_TASK_QUEUE,
    workflowBundle: await workflowBundle(),
    ...(deps.dataConverter !== undefined && { dataConverter: deps.dataConverter }),
    ...workerVersionOptions(deps.build),
    activities: createMailActivities({
      ...(imap !== undefined && {
        imap: { host: imap.host, port: imap.port, secure: imap.secure, ...(imap.user !== undefined ? { user: imap.user, password: imap.password ?? '' } : {}) },
      }),
      ...(deps.inboxes !== undefined && { inboxImap: inboxImapResolver({ db: deps.db, box: deps.inboxes.box }) }),
      db: deps.db,
      ingest,
      // Registry inboxes' mail is flagged \\Seen and polled like IMAP_*'s (every 30 s when IMAP_* is not set).
      afterProcess: {
        ...(imap === undefined ? { flag: '\\Seen' } : imap.processedFlag ? { flag: imap.processedFlag } : {}),
        ...(imap?.moveTo ? { moveTo: imap.moveTo } : {}),
      },
      pollIntervalMs: (imap?.pollSeconds ?? 30) * 1000,
      ...(deps.runForMs !== undefined ? { runForMs: deps.runForMs } : {}),
    }),
    // One slot per watched mailbox plus headroom; more would only mean more idle IMAP sessions.
    maxConcurrentActivityTaskExecutions: Math.max(4, (imap?.mailboxes.length ?? 0) + (deps.inboxes?.count ?? 0) + 2),
    shutdownGraceTime: '15 seconds',
  });
}
