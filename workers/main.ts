// Runs every worker the product needs until the signal aborts. Used by `leadflow worker` and
// by `leadflow up` (which runs it in-process beside the API).
import type { Kysely } from 'kysely';
import type { Config } from '../config/index.js';
import type { Logger } from '../config/logger.js';
import type { Database } from '../db/index.js';
import { connectClient, connectWorkerConnection } from '../temporal/connection.js';
import { dataConverterFromConfig } from '../temporal/data-converter.js';
import { leadIdSecret } from '../temporal/lead-ids.js';
import { ensureInboxWatchers, ensureMailboxWatchers } from '../temporal/mailbox-client.js';
import { listImapInboxes } from '../db/index.js';
import { inboxSecretBox } from '../wiring/inboxes.js';
import { createMailboxWorker } from './mailbox-worker.js';
import { unknownDealerInboxes } from '../intake/dealer-inboxes.js';
import { installTemporalRuntime } from '../temporal/runtime.js';
import { capWorkflowThreadHeap } from './cache-budget.js';
import { createLeadWorker } from './lead-worker.js';
import { createControlWorker } from './control-worker.js';
import { createDb } from '../db/index.js';
import { intentClassifierFromConfig, leadServicesFromConfig } from '../wiring/services.js';
import { syncRetentionSchedule } from '../temporal/retention-schedule.js';

export async function runWorkers(
  config: Readonly<Config>,
  deps: { db: Kysely<Database>; log: Logger; signal: AbortSignal; onReady?: () => void },
): Promise<void> {
  installTemporalRuntime({ metricsAddress: config.temporal.sdkMetricsAddress, logLevel: 'warn' });
  const dataConverter = await dataConverterFromConfig(config);
  const connection = await connectWorkerConnection(config.temporal);
  // Activities that start or signal workflows (ingest) need a client of their own.
  const client = await connectClient(config.temporal, dataConverter);
  let controlDb: Awaited<ReturnType<typeof createDb>> | null = null;
  try {
    // The emergency stop's own pool: on the shared one its transaction waited for a connection behind
    // every queued send. The embedded database serves one connection at a time anyway, so it shares.
    if (config.databaseUrl !== undefined) controlDb = await createDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, poolMax: 2 });
    const services = await leadServicesFromConfig(config);
    const build = config.temporal.workerBuild;
    // Before any worker exists: the workflow threads take their heap limit from the budget.
    const workflowHeapMb = capWorkflowThreadHeap(config.temporal.workerMemoryMb);
    const workers = [
      await createLeadWorker({
        connection,
        namespace: config.temporal.namespace,
        db: deps.db,
        services,
        dataConverter,
        client,
        build,
        memoryMb: config.temporal.workerMemoryMb,
      }),
      await createControlWorker({
        connection,
        namespace: config.temporal.namespace,
        db: controlDb?.db ?? deps.db,
        dataConverter,
        build,
        ...(services.resumeRamp !== undefined && { resumeRamp: services.resumeRamp }),
      }),
    ];
    // Registry inboxes with IMAP settings are watched for replies beside IMAP_*'s mailboxes.
    const inboxMailboxes = (await listImapInboxes(deps.db)).map((r) => ({ id: r.id, mailbox: (r.settings.imap as { mailbox?: string }).mailbox ?? 'INBOX' }));
    if (config.imap !== undefined || inboxMailboxes.length > 0) {
      workers.push(
        await createMailboxWorker({
          connection,
          namespace: config.temporal.namespace,
          client,
          dataConverter,
          leadIdSecret: await leadIdSecret(config),
          db: deps.db,
          ...(config.imap !== undefined && { imap: config.imap }),
          inboxes: { box: await inboxSecretBox(config), count: inboxMailboxes.length },
          log: deps.log,
          classifyIntent: intentClassifierFromConfig(config),
          dealerInboxes: config.dealerInboxes,
          build,
        }),
      );
      const watchers = [
        ...(config.imap !== undefined ? await ensureMailboxWatchers(client, config.imap) : []),
        ...(await ensureInboxWatchers(client, inboxMailboxes)),
      ];
      deps.log.info({ watchers }, 'mailbox watchers running');
      // DEALER_INBOXES names registry inboxes: a missing one would quietly send from the default inbox.
      const unknown = await unknownDealerInboxes(deps.db, config.dealerInboxes);
      if (unknown.length > 0) deps.log.warn({ unknown }, "DEALER_INBOXES names inboxes the registry does not have: those dealers' leads skip them");
    }
    // Clean-up is housekeeping: a server refusing the schedule must not keep leads from being worked.
    await syncRetentionSchedule(client, config.retention).then(
      (retentionSchedule) => deps.log.info({ retentionSchedule }, 'retention schedule'),
      (error: unknown) => deps.log.warn({ err: error }, 'retention schedule not registered'),
    );
    deps.log.info({ taskQueues: workers.map((w) => w.options.taskQueue), identity: workers[0]?.options.identity, build, workflowHeapMb }, 'workers started');
    deps.onReady?.();
    const stop = () => {
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
    };
    if (deps.signal.aborted) stop();
    deps.signal.addEventListener('abort', stop, { once: true });
    await Promise.all(workers.map((w) => w.run()));
  } finally {
    await controlDb?.close();
    await client.connection.close();
    await connection.close();
  }
}
