// The API's dependencies from configuration, shared by `leadflow api` and `leadflow up`.
import type { Client } from '@temporalio/client';
import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import type { AppDeps } from '../../api/app.js';
import type { Config } from '../../config/index.js';
import type { Database } from '../../db/index.js';
import { intentClassifierFromConfig, unsubscribeSecret } from '../../wiring/services.js';

export async function appDepsFromConfig(config: Readonly<Config>, db: Kysely<Database>, temporal: Client, logger: FastifyBaseLogger): Promise<AppDeps> {
  return {
    db, temporal, logger,
    links: { temporalUiUrl: config.temporal.uiUrl, namespace: config.temporal.namespace },
    rateLimitPerMinute: config.api.rateLimitPerMinute,
    webhooks: {
      sendgridPublicKey: config.webhooks.sendgridPublicKey, sendgridMaxAgeSeconds: config.webhooks.sendgridMaxAgeSeconds,
      twilioAuthToken: config.twilio?.authToken, publicUrl: config.api.publicUrl,
    },
    unsubscribeSecret: await unsubscribeSecret(config),
    classifyIntent: intentClassifierFromConfig(config),
    health: { providers: async () => Promise.all((await import('../../activities/health/providers.js')).providerChecks(config)) },
  };
}
