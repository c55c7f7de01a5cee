// Builds the fastify app from already-connected clients. No listening, no process wiring:
// tests call this with `app.inject`, the server entry adds the socket.
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Client } from '@temporalio/client';
import type { Kysely } from 'kysely';
import type { Database } from '../db/index.js';
import type { DealerInboxes } from '../config/index.js';
import { registerErrorHandler, sendProblem } from './errors.js';
import { infraPlugin } from './plugins/infra.js';
import { metricsPlugin } from './plugins/metrics.js';
import { healthRoutes, type HealthOptions } from './routes/health.js';
import { ingestRoutes } from './routes/ingest.js';
import { quarantineRoutes } from './routes/quarantine.js';
import { leadRoutes, type UiLinks } from './routes/leads.js';
import { auditRoutes } from './routes/audit.js';
import { sendGridWebhook } from './webhooks/sendgrid.js';
import { twilioWebhooks } from './webhooks/twilio.js';
import { unsubscribeRoutes } from './routes/unsubscribe.js';
import { outboxRoutes } from './routes/outbox.js';
import { controlRoutes, type ControlRouteOptions } from './routes/control.js';
import { suppressionRoutes } from './routes/suppressions.js';
import { inboxRoutes, type InboxRouteOptions } from './routes/inboxes.js';
import { handoverRoutes } from './routes/handover.js';
import { statsRoutes } from './routes/stats.js';
import { campaignStatsRoutes } from './routes/campaign-stats.js';
import { campaignRoutes, type CampaignRouteOptions } from './routes/campaigns.js';
import { campaignProspectRoutes } from './routes/campaign-prospects.js';
import { campaignPreviewRoutes } from './routes/campaign-preview.js';
import { inboxHealthRoutes } from './routes/inbox-health.js';
import { codecRoutes, type CodecOptions } from './routes/codec.js';
import { sendGridPublicKey } from './webhooks/verify.js';
import { authPlugin } from './plugins/auth.js';
import { docsPlugin } from './plugins/docs.js';
import { rateLimitPlugin } from './plugins/rate-limit.js';
import { inputGuardPlugin } from './plugins/input-guard.js';
import helmet from '@fastify/helmet';
import { createIngestor } from '../intake/ingest.js';
import { leadIdentity } from '../intake/lead-identity.js';
import type { IntentClassifier } from '../domain/mail/classify/types.js';
import type { Logger } from 'pino';

export interface AppDeps {
  db: Kysely<Database>;
  temporal: Client;
  /** Keys the opaque lead IDs (LEAD_ID_SECRET or the data dir's): the same in every process. */
  leadIdSecret: string;
  logger: FastifyBaseLogger;
  ownsClients?: boolean;
  /** Where lead links point (the Temporal Web UI). */
  links?: UiLinks;
  /** Requests per minute per API key. */
  rateLimitPerMinute?: number;
  /** Requests per minute per client address, before authentication (default: rateLimitPerMinute). */
  rateLimitPerAddressPerMinute?: number;
  health?: HealthOptions;
  /** Provider webhooks; a route whose secret is not configured answers 404. */
  webhooks?: { sendgridPublicKey?: string | undefined; sendgridMaxAgeSeconds?: number; twilioAuthToken?: string | undefined; publicUrl: string };
  /** Reply intent for inbound mail and SMS (rules when absent). */
  classifyIntent?: IntentClassifier;
  /** Verifies one-click unsubscribe and handover acknowledgement links (the workers sign them with the same secret). */
  unsubscribeSecret?: string;
  /** The codec server the Temporal Web UI decrypts payloads through (/codec); absent, no such routes. */
  codec?: CodecOptions;
  /** The emergency stop's routes (how long a stop may wait for its acknowledgement). */
  control?: ControlRouteOptions;
  /** The inbox registry (/inboxes): the credentials key, the login check and the implicit inboxes; absent, no such routes. */
  inboxes?: InboxRouteOptions;
  /** The campaign workflow's settings (page size, poll, task queue); defaults when absent. */
  campaigns?: CampaignRouteOptions;
  /** DEALER_INBOXES: the inboxes each dealer's ADF leads go out from. */
  dealerInboxes?: DealerInboxes;
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  // maxParamLength: lead ids (up to 500 chars) and signed unsubscribe tokens exceed the default 100.
  // removeAdditional: false — an unknown body field or query parameter is refused with 400 naming
  // it (fastify's default silently drops it, so a typo like `?stauts=` listed everything).
  const app = Fastify({
    loggerInstance: deps.logger,
    genReqId: () => crypto.randomUUID(),
    bodyLimit: 5 * 1024 * 1024,
    routerOptions: { maxParamLength: 1500 },
    ajv: { customOptions: { removeAdditional: false } },
    // Errors the router raises before any hook (a malformed or over-long path) are problems too.
    frameworkErrors: (err, _req, reply) => {
      void sendProblem(reply.header('x-content-type-options', 'nosniff'), err.statusCode ?? 400, err.message);
    },
  });
  registerErrorHandler(app);
  // Security headers on every answer, nosniff included (quarantined bytes are served raw).
  await app.register(helmet, { global: true });
  await app.register(infraPlugin, { db: deps.db, temporal: deps.temporal, owns: deps.ownsClients ?? false });
  await app.register(docsPlugin);
  await app.register(metricsPlugin);
  // Before authentication: the address limit and the input checks run on every request first.
  await app.register(rateLimitPlugin, {
    perMinute: deps.rateLimitPerMinute ?? 600,
    ...(deps.rateLimitPerAddressPerMinute !== undefined && { perAddressPerMinute: deps.rateLimitPerAddressPerMinute }),
  });
  await app.register(inputGuardPlugin);
  await app.register(authPlugin);
  const ingest = createIngestor({
    client: deps.temporal,
    db: deps.db,
    log: deps.logger as Logger,
    leadIdSecret: deps.leadIdSecret,
    classifyIntent: deps.classifyIntent,
    dealerInboxes: deps.dealerInboxes,
  });
  await app.register(healthRoutes, deps.health ?? {});
  await app.register(ingestRoutes, { ingest, identity: leadIdentity(deps.db, deps.leadIdSecret) });
  await app.register(quarantineRoutes, { ingest });
  await app.register(auditRoutes);
  const hooks = deps.webhooks;
  await app.register(sendGridWebhook, {
    key: hooks?.sendgridPublicKey ? sendGridPublicKey(hooks.sendgridPublicKey) : null,
    maxAgeSeconds: hooks?.sendgridMaxAgeSeconds ?? 600,
  });
  await app.register(twilioWebhooks, {
    authToken: hooks?.twilioAuthToken ?? null,
    publicUrl: hooks?.publicUrl ?? 'http://127.0.0.1:3000/',
    classifyIntent: deps.classifyIntent,
  });
  await app.register(unsubscribeRoutes, { secret: deps.unsubscribeSecret ?? null });
  await app.register(outboxRoutes);
  await app.register(controlRoutes, deps.control ?? {});
  await app.register(suppressionRoutes);
  if (deps.inboxes !== undefined) await app.register(inboxRoutes, deps.inboxes);
  await app.register(inboxHealthRoutes);
  await app.register(statsRoutes);
  await app.register(campaignRoutes, deps.campaigns ?? {});
  await app.register(campaignProspectRoutes);
  await app.register(campaignStatsRoutes);
  await app.register(campaignPreviewRoutes);
  await app.register(handoverRoutes, { secret: deps.unsubscribeSecret ?? null });
  await app.register(leadRoutes, {
    links: deps.links ?? { temporalUiUrl: 'http://127.0.0.1:8233/', namespace: 'default' },
    campaignTaskQueue: deps.campaigns?.workflow?.taskQueue,
  });
  if (deps.codec !== undefined) await app.register(codecRoutes, deps.codec);
  return app;
}
