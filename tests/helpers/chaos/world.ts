// Everything a chaos scenario runs against, real where it can be: a restartable Temporal dev
// server, a restartable private PostgreSQL cluster, the product's API (in this process, so the
// providers' webhooks reach it), the SendGrid / Twilio / OpenAI stand-ins with fault storms,
// optionally GreenMail (IMAP) for replies, and the real `leadflow worker` process wired to all of
// it through its environment, exactly as in production.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DataConverter } from '@temporalio/common';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { buildApp } from '../../../api/app.js';
import { createLogger } from '../../../config/logger.js';
import { createDb, migrateToLatest, type Database } from '../../../db/index.js';
import { freePort } from '../../../temporal/net.js';
import { testDataConverter } from '../codec.js';
import { startMailServer, type MailServer, type MailUser } from '../mailserver.js';
import { startPostgresCluster, type RestartablePostgres } from '../postgres.js';
import { FaultStorms } from '../standins/faults.js';
import { startOpenAI, type OpenAIOptions } from '../standins/openai.js';
import { startSendGrid } from '../standins/sendgrid.js';
import { startTwilio } from '../standins/twilio.js';
import { startRestartableTemporal, type RestartableTemporal } from './temporal-server.js';
import { WorkerProcess } from './worker.js';
import { TEST_LEAD_ID_SECRET } from '../codec.js';

export const SENDER = 'sales@chaos.test';
export const TWILIO_FROM = '+14155550100';
export const INBOX: MailUser = { user: 'replies@chaos.test', password: 'chaos-imap-secret', email: 'replies@chaos.test' };

export interface ChaosWorldOptions {
  /** Random per-call latency at SendGrid after accepting (widens the window a kill hits mid-call). */
  sendgridLatencyMs?: () => number;
  twilio?: boolean;
  openai?: Pick<OpenAIOptions, 'contentFor' | 'defaultContent'>;
  /** GreenMail, and the worker's mailbox watcher on its INBOX (replies come back this way). */
  imap?: boolean;
  /** SEND_EVIDENCE_WINDOW_SECONDS for the worker (default 15). */
  evidenceWindowSeconds?: number;
  /** Output lines of the worker to keep for the test (substrings). */
  keepWorkerLines?: string[];
  /** The Temporal server; default a restartable dev server (Temporal's own server: temporal-cluster.ts). */
  temporal?: (dataConverter: DataConverter) => Promise<RestartableTemporal>;
}

export interface ChaosWorld {
  temporal: RestartableTemporal;
  pg: RestartablePostgres;
  db: Kysely<Database>;
  app: FastifyInstance;
  apiUrl: string;
  sendgrid: Awaited<ReturnType<typeof startSendGrid>>;
  twilio: Awaited<ReturnType<typeof startTwilio>> | null;
  openai: Awaited<ReturnType<typeof startOpenAI>> | null;
  mail: MailServer | null;
  storms: { sendgrid: FaultStorms; twilio: FaultStorms; openai: FaultStorms };
  worker: WorkerProcess;
  workerEnv: Record<string, string>;
  stop(): Promise<void>;
}

export async function startChaosWorld(opts: ChaosWorldOptions = {}): Promise<ChaosWorld> {
  const keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const publicKey = keys.publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
  const apiPort = await freePort();
  const apiUrl = `http://127.0.0.1:${apiPort}/`;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'leadflow-chaos-'));
  const storms = { sendgrid: new FaultStorms(), twilio: new FaultStorms(), openai: new FaultStorms() };
  const twilioCreds = { accountSid: 'AC0123456789abcdef0123456789abcdef', authToken: 'chaos-twilio-auth-token' };

  const [temporal, pg, sendgrid, twilio, openai, mail] = await Promise.all([
    // The payload keys cliEnv gives every spawned `leadflow` process: this client reads what the worker wrote.
    (opts.temporal ?? startRestartableTemporal)(testDataConverter),
    // Durable commits: an acknowledged write must survive the abrupt stops of the restart scenario.
    startPostgresCluster({ durable: true }),
    // Real SendGrid retries a webhook batch its endpoint did not take for 24 hours.
    startSendGrid({
      apiKey: 'SG.chaos',
      storms: storms.sendgrid,
      ...(opts.sendgridLatencyMs !== undefined && { latencyMs: opts.sendgridLatencyMs }),
      eventWebhook: { url: `${apiUrl}webhooks/sendgrid`, privateKey: keys.privateKey, retryForMs: 10 * 60_000 },
    }),
    opts.twilio === true
      ? startTwilio({ ...twilioCreds, storms: storms.twilio, statusCallbacks: { statuses: ['sent', 'delivered'], retryForMs: 10 * 60_000 } })
      : Promise.resolve(null),
    opts.openai !== undefined ? startOpenAI({ apiKey: 'sk-chaos', storms: storms.openai, ...opts.openai }) : Promise.resolve(null),
    opts.imap === true ? startMailServer({ users: [INBOX] }) : Promise.resolve(null),
  ]);
  const handle = await createDb({ databaseUrl: pg.url, dataDir, onPoolError: () => undefined });
  await migrateToLatest(handle.db);
  const app = await buildApp({
    leadIdSecret: TEST_LEAD_ID_SECRET,
    db: handle.db,
    temporal: temporal.client,
    logger: createLogger('silent'),
    webhooks: { sendgridPublicKey: publicKey, publicUrl: apiUrl, ...(twilio !== null && { twilioAuthToken: twilioCreds.authToken }) },
  });
  await app.listen({ host: '127.0.0.1', port: apiPort });

  const workerEnv: Record<string, string> = {
    DATABASE_URL: pg.url,
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_EMBEDDED: 'false',
    LEADFLOW_DATA_DIR: dataDir,
    SENDGRID_API_KEY: 'SG.chaos',
    SENDGRID_BASE_URL: sendgrid.url,
    SENDER_EMAIL: SENDER,
    API_PUBLIC_URL: apiUrl,
    UNSUBSCRIBE_SECRET: 'chaos-unsubscribe-secret-0123456789abcdef',
    MX_LOOKUP: 'off',
    LOG_LEVEL: 'info',
    SENDGRID_WEBHOOK_PUBLIC_KEY: publicKey,
    SEND_EVIDENCE_WINDOW_SECONDS: String(opts.evidenceWindowSeconds ?? 15),
    ...(twilio !== null && { TWILIO_ACCOUNT_SID: twilioCreds.accountSid, TWILIO_AUTH_TOKEN: twilioCreds.authToken, TWILIO_BASE_URL: twilio.url, TWILIO_FROM }),
    ...(openai !== null && { OPENAI_API_KEY: 'sk-chaos', OPENAI_BASE_URL: `${openai.url}/v1`, OPENAI_MODEL: 'gpt-4o-mini' }),
    ...(mail !== null && {
      IMAP_HOST: mail.imap.host,
      IMAP_PORT: String(mail.imap.port),
      IMAP_SECURE: 'false',
      IMAP_USER: INBOX.user,
      IMAP_PASSWORD: INBOX.password,
      IMAP_MAILBOXES: 'INBOX',
      IMAP_POLL_SECONDS: '2',
    }),
  };
  const worker = new WorkerProcess(workerEnv, opts.keepWorkerLines ?? []);

  return {
    temporal,
    pg,
    db: handle.db,
    app,
    apiUrl,
    sendgrid,
    twilio,
    openai,
    mail,
    storms,
    worker,
    workerEnv,
    async stop() {
      await worker.stop(5_000).catch(() => undefined);
      await app.close().catch(() => undefined);
      await handle.close().catch(() => undefined);
      await Promise.allSettled([temporal.stop(), pg.stop(), sendgrid.close(), twilio?.close(), openai?.close(), mail?.stop()]);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
