// The world the API fuzzers (tests/integration/fuzz-api-*.test.ts) run against: real servers
// (a Temporal dev server and PostgreSQL of the file's own), the app through app.inject with every
// webhook configured (a SendGrid key pair and a Twilio token generated here, so the fuzz can sign
// validly and reach what the signatures protect), an API key per scope, and what requests can
// point at: two stored leads whose workflows run but no worker polls, their outbox rows, signed
// unsubscribe and acknowledgement links, salespeople and a quarantined item; and the operator
// registries: inboxes (the implicit two and one stored, behind a login check that refuses any
// connection mentioning "refuse"), a suppression, a draft and a running campaign (its workflow on a
// queue no worker polls), the codec server with an access token, and the emergency stop, whose
// control workflow runs on a queue of the world's own (a worker serves it when the file asks).
// `useApiFuzz()` starts it before a file's tests and stops it after them.
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { after, before, type TestContext } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../../api/app.js';
import { createLogger } from '../../../config/logger.js';
import type { Worker } from '@temporalio/worker';
import { addSalesperson, claimOutbox, createApiKey, saveHandover, setHandoverAckToken, upsertLead } from '../../../db/index.js';
import { createSecretBox } from '../../../domain/crypto/secret-box.js';
import { parsePayloadKeys } from '../../../temporal/codec.js';
import { ackToken, signUnsubscribeToken, unsubscribeToken } from '../../../domain/tokens/signed-token.js';
import { submitLead } from '../../../temporal/lead-client.js';
import { createLeadWorker } from '../../../workers/lead-worker.js';
import { campaignSpec, prospectsCsv } from '../campaigns/harness.js';
import { TEST_LEAD_ID_SECRET, TEST_PAYLOAD_KEYS, testDataConverter, testIdentity } from '../codec.js';
import { LOCAL_IMPLICIT } from '../inboxes.js';
import { testControlWorker } from '../lead-worker.js';
import { makeLeadInput } from '../leads.js';
import { testServices } from '../services.js';
import { startDevStack, type DevStack } from '../stack.js';
import { uniqueName } from '../temporal.js';
import { Exchanger, type ExchangeOptions, type Req, type Res } from './api-exchange.js';
import { preview, SEED } from './support.js';
import { pct } from './wire.js';

export const SECRET = 'fuzz-link-secret-0123456789abcdef0123';
export const PUBLIC_URL = 'https://leadflow.example.com/';
export const TWILIO_TOKEN = 'twilio-auth-token-fuzz';
export const CODEC_TOKEN = 'fuzz-codec-access-token-0123456789abcdef';
export const UI_ORIGIN = 'http://127.0.0.1:8233';
export type Scope = 'read' | 'write' | 'admin';

export class ApiFuzzWorld {
  stack!: DevStack;
  app!: FastifyInstance;
  private exchanger!: Exchanger;
  private readonly logLines: string[] = [];
  readonly auth: Record<Scope, Record<string, string>> = { read: {}, write: {}, admin: {} };
  readonly sgKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  readonly otherKeys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  /** Leads with a row and a (never polled) workflow: what signals, webhooks and links point at. */
  readonly targets: string[] = [];
  targetPhone = '';
  readonly salespeople: string[] = [];
  quarantineId = '';
  readonly validTokens: { unsubscribe: string[]; ack: string[] } = { unsubscribe: [], ack: [] };
  /** The implicit inboxes and one stored; a suppression; a draft campaign and a running one with its import. */
  readonly inboxIds = LOCAL_IMPLICIT.map((i) => i.id as string);
  readonly suppressionIds: string[] = [];
  readonly campaignIds: string[] = [];
  importId = '';
  private controlWorker: { worker: Worker; running: Promise<void> } | null = null;

  constructor(private readonly opts: { controlWorker?: boolean } = {}) {}

  async start(): Promise<void> {
    this.stack = await startDevStack();
    const control = { taskQueue: uniqueName('fuzz-control'), workflowId: uniqueName('fuzz-control') };
    const db = this.stack.tdb.db;
    const logLines = this.logLines;
    const sink = new Writable({
      write(chunk: Buffer, _e, cb) {
        logLines.push(chunk.toString());
        if (logLines.length > 2000) logLines.splice(0, 1000);
        cb();
      },
    });
    this.app = await buildApp({
      leadIdSecret: TEST_LEAD_ID_SECRET,
      db,
      temporal: this.stack.env.client,
      logger: createLogger('warn', 'api', sink),
      unsubscribeSecret: SECRET,
      // The limits would otherwise answer 429 to most of the fuzz.
      rateLimitPerMinute: 10_000_000,
      rateLimitPerAddressPerMinute: 10_000_000,
      webhooks: {
        sendgridPublicKey: this.sgKeys.publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
        sendgridMaxAgeSeconds: 600,
        twilioAuthToken: TWILIO_TOKEN,
        publicUrl: PUBLIC_URL,
      },
      inboxes: {
        box: createSecretBox([Buffer.alloc(32, 9)]),
        verify: async (_kind, c) => (JSON.stringify(c).includes('refuse') ? { field: 'smtp.password', message: 'the login was refused' } : null),
        implicit: LOCAL_IMPLICIT,
        env: { SMTP_PASSWORD: 'pw', SG_KEY: 'SG.x' },
      },
      codec: { keys: parsePayloadKeys(TEST_PAYLOAD_KEYS), accessTokens: [CODEC_TOKEN], allowedOrigins: [UI_ORIGIN] },
      // A stop answers within the exchange's deadline even if no worker acknowledges it.
      control: { ackTimeoutMs: 3_000, client: control },
      campaigns: { workflow: { taskQueue: uniqueName('fuzz-campaigns-unpolled') } },
    });
    if (this.opts.controlWorker === true) {
      const worker = await testControlWorker(this.stack.env, this.stack.tdb.db, { taskQueue: control.taskQueue });
      this.controlWorker = { worker, running: worker.run() };
    }
    this.exchanger = new Exchanger(this.app, this.stack.tdb, this.logLines);
    for (const scope of ['read', 'write', 'admin'] as const)
      this.auth[scope] = { authorization: `Bearer ${(await createApiKey(db, `fuzz-${scope}`, [scope])).key}` };
    for (let i = 0; i < 2; i++) await this.seedTarget(i);
    const q = await this.app.inject({
      method: 'POST',
      url: '/leads/adf',
      headers: { ...this.auth.write, 'content-type': 'application/xml' },
      payload: '<adf><prospect></adf>',
    });
    this.quarantineId = q.json<{ quarantineId: string }>().quarantineId;
    await this.seedRegistries();
  }

  /** An inbox, a suppression, a draft campaign and a running one (with its import), through the API. */
  private async seedRegistries(): Promise<void> {
    const made = async (method: 'POST', url: string, payload: string, type = 'application/json') => {
      const res = await this.app.inject({ method, url, headers: { ...this.auth.admin, 'content-type': type }, payload });
      assert.ok(res.statusCode === 201 || res.statusCode === 200, `seeding ${url}: ${res.statusCode} ${res.body}`);
      return res.json<{ id: string; importId?: string }>();
    };
    const smtp = { host: 'smtp.example.com', port: 587, user: 'rep@dealer.example', password: 'pw' };
    this.inboxIds.push((await made('POST', '/inboxes', JSON.stringify({ id: 'fuzz-smtp', kind: 'smtp', address: 'rep@dealer.example', smtp }))).id);
    this.suppressionIds.push((await made('POST', '/suppressions', JSON.stringify({ address: 'seeded@example.com', reason: 'seed' }))).id);
    for (let i = 0; i < 2; i++) this.campaignIds.push((await made('POST', '/campaigns', JSON.stringify(campaignSpec({ name: `Fuzz ${i}` })))).id);
    const running = this.campaignIds[1] ?? '';
    this.importId = (await made('POST', `/campaigns/${running}/prospects`, prospectsCsv(3), 'text/csv')).importId ?? '';
    await made('POST', `/campaigns/${running}/start`, '{}');
  }

  private workerDeps() {
    const { env, tdb } = this.stack;
    // With the client: lead activities that signal or update other workflows (inboxes) use it.
    return {
      dataConverter: testDataConverter,
      connection: env.nativeConnection,
      client: env.client,
      namespace: 'default',
      db: tdb.db,
      services: testServices(),
    };
  }

  /** A stored lead with a running workflow, an e-mail in its outbox, a salesperson and a handover. */
  private async seedTarget(i: number): Promise<void> {
    const db = this.stack.tdb.db;
    const input = makeLeadInput({
      contact: { firstName: 'Target', lastName: String(i), email: `${uniqueName('target')}@example.com`, phone: `+1415555${String(1000 + i)}` },
    });
    const { leadId } = await submitLead(this.stack.env.client, input, { identity: testIdentity });
    await upsertLead(db, {
      id: leadId,
      source: input.source,
      external_id: input.externalId,
      email: input.contact.email,
      phone: input.contact.phone,
      payload: {},
    });
    this.targets.push(leadId);
    this.targetPhone = input.contact.phone ?? '';
    const address = input.contact.email ?? '';
    const token = unsubscribeToken(SECRET, { leadId, address });
    await claimOutbox(db, {
      idempotencyKey: `${leadId}:step:1`,
      leadId,
      step: 1,
      channel: 'email',
      provider: 'local',
      recipient: address,
      subject: 's',
      body: 'b',
      unsubscribeToken: token,
    });
    this.validTokens.unsubscribe.push(token, signUnsubscribeToken(SECRET, { leadId, address }));
    const rep = await addSalesperson(db, { id: randomUUID(), name: `Rep ${i}`, email: `rep${i}@example.com`, managerEmail: null, team: null });
    this.salespeople.push(rep.id);
    const handoverId = `handover:${leadId}`;
    await saveHandover(db, { id: handoverId, leadId, salespersonId: rep.id, status: 'assigned' });
    const ack = ackToken(SECRET, handoverId);
    await setHandoverAckToken(db, handoverId, ack, new Date(Date.now() + 86_400_000));
    this.validTokens.ack.push(ack);
  }

  async stop(): Promise<void> {
    await this.app?.close();
    this.controlWorker?.worker.shutdown();
    await this.controlWorker?.running;
    await this.stack?.stop();
  }

  /** One request, with the checks every answer must pass (api-exchange.ts). */
  exchange(req: Req, o: ExchangeOptions = {}): Promise<Res> {
    return this.exchanger.exchange(req, o);
  }

  /** The file's last test: every lead the fuzz got accepted (202) becomes readable once a lead worker runs. */
  async acceptedBecomeReadable(t: TestContext): Promise<void> {
    const { stats, accepted } = this.exchanger;
    t.diagnostic(
      `${stats.requests} requests, by status ${JSON.stringify(stats.byStatus)}; slowest ${stats.slowestMs.toFixed(0)} ms; ${accepted.size} leads accepted; seed ${SEED}`,
    );
    if (accepted.size === 0) return;
    const worker = await createLeadWorker(this.workerDeps());
    const running = worker.run();
    try {
      const missing: string[] = [];
      const deadline = Date.now() + 60_000;
      for (const [leadId, input] of accepted) {
        for (;;) {
          const res = await this.app.inject({ method: 'GET', url: `/leads/${pct(leadId)}`, headers: this.auth.read });
          assert.ok(res.statusCode < 500, `GET /leads/${leadId} answered ${res.statusCode}: ${preview(res.body)}`);
          if (res.statusCode === 200) break;
          if (Date.now() > deadline) {
            missing.push(`${leadId} (accepted for ${input})`);
            break;
          }
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      assert.deepEqual(missing, [], 'accepted leads that never became readable');
    } finally {
      worker.shutdown();
      await running;
    }
  }
}

/** The world of one fuzz file: started before its tests, stopped after them. */
export function useApiFuzz(opts: { controlWorker?: boolean } = {}): ApiFuzzWorld {
  const world = new ApiFuzzWorld(opts);
  before(() => world.start());
  after(() => world.stop());
  return world;
}
