// The worker for the lead task queue: lead workflows and their activities.
import type { DataConverter } from '@temporalio/common';
import { Worker, type NativeConnection } from '@temporalio/worker';
import type { Kysely } from 'kysely';
import { createDraftActivities } from '../activities/ai/activity.js';
import { createEnrichActivities } from '../activities/enrich/index.js';
import { createLeadActivities } from '../activities/leads/index.js';
import { createJournalActivities } from '../activities/leads/journal.js';
import { createSendActivities } from '../activities/send/ledger.js';
import { createInboxTransports } from '../activities/send/inbox-transports.js';
import { createSlotActivities } from '../activities/send/slot.js';
import { createHandoverActivities } from '../activities/handover/index.js';
import { createControlActivities } from '../activities/control/index.js';
import { createInboxStateActivities } from '../activities/inboxes/state.js';
import { createInboxSlotActivities, sentNote } from '../activities/inboxes/slots.js';
import { inboxBatcher } from '../activities/inboxes/inbox-batch.js';
import { createCampaignActivities } from '../activities/campaigns/index.js';
import { createRetentionActivities } from '../activities/retention/index.js';
import type { Client } from '@temporalio/client';
import type { Database } from '../db/index.js';
import { LEAD_TASK_QUEUE } from '../workflows/lead/contract.js';
import { workflowBundle } from './bundle.js';
import type { LeadServices } from '../wiring/services.js';
import type { WorkerBuild } from '../config/index.js';
import { workerVersionOptions } from './versioning.js';
import { cachedWorkflowsFor, DEFAULT_WORKER_MEMORY_MB } from './cache-budget.js';

export interface LeadWorkerDeps {
  connection: NativeConnection;
  namespace: string;
  db: Kysely<Database>;
  /** Providers, drafter and resolver (see wiring/services.ts). */
  services: LeadServices;
  /** Override the task queue (tests run each case on its own queue). */
  taskQueue?: string;
  /** The payload codec (temporal/data-converter.ts): the same one the clients use. */
  dataConverter?: DataConverter;
  /** For the activities that ask inbox workflows for slots (update-with-start) and signal them. */
  client: Client;
  /** TEMPORAL_WORKER_BUILD_ID (and versioning): how this worker identifies its build (workers/versioning.ts). */
  build?: WorkerBuild;
  /** WORKER_MEMORY_MB (default 1024): sizes the sticky cache. */
  memoryMb?: number;
}

export function leadActivities(db: Kysely<Database>, s: LeadServices, client: Client) {
  // One batcher per worker: slot requests, releases and sent notes to an inbox share its updates.
  const batcher = inboxBatcher(client);
  const send = createSendActivities({
    db,
    noteSent: sentNote({ db, client, batcher }),
    transports: s.transports,
    compose: s.compose,
    ...(s.evidenceWindowMs !== undefined && { evidenceWindowMs: s.evidenceWindowMs }),
    ...(s.absenceMeansUnsent !== undefined && { absenceMeansUnsent: s.absenceMeansUnsent }),
    ...(s.inboxRegistry !== undefined && { inboxes: createInboxTransports({ db, defaults: s.transports, ...s.inboxRegistry }) }),
  });
  const inboxSlots = createInboxSlotActivities({
    db,
    client,
    batcher,
    ...(s.stopRecheckMs !== undefined && { stopRecheckMs: s.stopRecheckMs }),
    ...(s.campaignRecheckMs !== undefined && { campaignRecheckMs: s.campaignRecheckMs }),
  });
  return {
    ...createLeadActivities({ db }),
    // The lean path's one write per wait (the send activity, not the journal, tells the inbox of a send).
    ...createJournalActivities({ db }),
    ...createEnrichActivities({ resolveMx: s.resolveMx, verifier: s.verifier }),
    ...createDraftActivities({ drafter: s.drafter, senderName: s.senderName, db }),
    ...createSlotActivities(s.slots),
    ...createInboxStateActivities(db),
    ...inboxSlots,
    ...send,
    ...createCampaignActivities({ db, client, leadIdSecret: s.leadIdSecret, deferStartMinMs: s.deferStartMinMs }),
    ...createRetentionActivities({ db }),
    // Also here for a control run still on the lead queue (an older build's), until it moves to its own.
    ...createControlActivities({ db, ...(s.resumeRamp !== undefined && { defaultRamp: s.resumeRamp }) }),
    ...createHandoverActivities({
      db,
      drafter: s.drafter,
      summarize: s.summarize,
      sendMessage: send.sendMessage,
      senderName: s.senderName,
      secret: s.compose.unsubscribe.secret,
      publicUrl: s.compose.unsubscribe.publicUrl,
      leadUrl: s.leadUrl,
      fallbackManager: s.fallbackManager,
    }),
  };
}

export async function createLeadWorker(deps: LeadWorkerDeps): Promise<Worker> {
  return Worker.create({
    connection: deps.connection,
    namespace: deps.namespace,
    taskQueue: deps.taskQueue ?? LEAD_TASK_QUEUE,
    workflowBundle: await workflowBundle(),
    ...(deps.dataConverter !== undefined && { dataConverter: deps.dataConverter }),
    activities: leadActivities(deps.db, deps.services, deps.client),
    ...workerVersionOptions(deps.build),
    // Sized from the memory budget: waiting leads are evicted, only active ones stay hot.
    maxCachedWorkflows: cachedWorkflowsFor(deps.memoryMb ?? DEFAULT_WORKER_MEMORY_MB),
    // DB activities are short; cap them so a burst of arrivals cannot exhaust the pool.
    maxConcurrentActivityTaskExecutions: 50,
    // Finish in-flight activities on shutdown instead of abandoning them to a timeout.
    shutdownGraceTime: '10 seconds',
  });
}
