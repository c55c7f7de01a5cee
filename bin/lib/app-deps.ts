// The API's dependencies from configuration, shared by `leadflow api` and `leadflow up`.
import type { Client } from '@temporalio/client';
import type { FastifyBaseLogger } from 'fastify';
import type { Kysely } from 'kysely';
import type { AppDeps } from '../../api/app.js';
import { ConfigError, type Config } from '../../config/index.js';
import type { Database } from '../../db/index.js';
import { intentClassifierFromConfig, unsubscribeSecret } from '../../wiring/services.js';
import { implicitInboxes, inboxSecretBox } from '../../wiring/inboxes.js';
import { leadIdSecret } from '../../temporal/lead-ids.js';
import { unknownDealerInboxes } from '../../intake/dealer-inboxes.js';
import { payloadKeysFromConfig } from '../../temporal/data-converter.js';

/** What `leadflow up` adds for its own dev server's Web UI: the token it generated, the UI's address. */
export interface CodecExtras {
  accessToken?: string;
  uiUrl?: string;
}

/**
 * The codec server's settings. CODEC_ACCESS_TOKEN: a secret (32+ URL-safe characters, e.g.
 * `openssl rand -hex 32`) a Web UI presents instead of an API key. CODEC_ALLOWED_ORIGINS: more
 * Web UI origins, comma-separated, besides TEMPORAL_UI_URL's (e.g. https://cloud.temporal.io).
 */
export function codecSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): { accessToken: string | undefined; origins: string[] } {
  const token = env.CODEC_ACCESS_TOKEN?.trim() || undefined;
  if (token !== undefined && !/^[A-Za-z0-9._~-]{32,512}$/.test(token)) {
    throw new ConfigError('CODEC_ACCESS_TOKEN must be 32 to 512 URL-safe characters (letters, digits, . _ ~ -), e.g. `openssl rand -hex 32`');
  }
  const origins = (env.CODEC_ALLOWED_ORIGINS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((o) => {
      try {
        return new URL(o).origin;
      } catch {
        throw new ConfigError(`CODEC_ALLOWED_ORIGINS: "${o}" is not a URL (e.g. https://cloud.temporal.io)`);
      }
    });
  return { accessToken: token, origins };
}

/** A UI's origin; a loopback UI's under each loopback name, as a browser may be pointed at any. */
function uiOrigins(uiUrl: string): string[] {
  const u = new URL(uiUrl);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname)) return [u.origin];
  const port = u.port === '' ? '' : `:${u.port}`;
  return ['127.0.0.1', 'localhost', '[::1]'].map((h) => `${u.protocol}//${h}${port}`);
}

async function codecFromConfig(config: Readonly<Config>, extras: CodecExtras): Promise<NonNullable<AppDeps['codec']>> {
  const settings = codecSettingsFromEnv();
  const origins = [...uiOrigins(config.temporal.uiUrl), ...(extras.uiUrl !== undefined ? uiOrigins(extras.uiUrl) : []), ...settings.origins];
  return {
    keys: await payloadKeysFromConfig(config),
    accessTokens: [settings.accessToken, extras.accessToken].filter((t): t is string => t !== undefined),
    allowedOrigins: [...new Set(origins)],
  };
}

export async function appDepsFromConfig(
  config: Readonly<Config>,
  db: Kysely<Database>,
  temporal: Client,
  logger: FastifyBaseLogger,
  codec: CodecExtras = {},
): Promise<AppDeps> {
  // DEALER_INBOXES names registry inboxes: a missing one would quietly send from the default inbox.
  const unknown = await unknownDealerInboxes(db, config.dealerInboxes);
  if (unknown.length > 0) logger.warn({ unknown }, "DEALER_INBOXES names inboxes the registry does not have: those dealers' leads skip them");
  return {
    db,
    temporal,
    logger,
    links: { temporalUiUrl: config.temporal.uiUrl, namespace: config.temporal.namespace },
    rateLimitPerMinute: config.api.rateLimitPerMinute,
    ...(config.api.rateLimitPerAddressPerMinute !== undefined && { rateLimitPerAddressPerMinute: config.api.rateLimitPerAddressPerMinute }),
    webhooks: {
      sendgridPublicKey: config.webhooks.sendgridPublicKey,
      sendgridMaxAgeSeconds: config.webhooks.sendgridMaxAgeSeconds,
      twilioAuthToken: config.twilio?.authToken,
      publicUrl: config.api.publicUrl,
    },
    unsubscribeSecret: await unsubscribeSecret(config),
    leadIdSecret: await leadIdSecret(config),
    classifyIntent: intentClassifierFromConfig(config),
    dealerInboxes: config.dealerInboxes,
    codec: await codecFromConfig(config, codec),
    inboxes: {
      box: await inboxSecretBox(config),
      verify: async (...args) => (await import('../../activities/inboxes/verify.js')).verifyInboxConnection(...args),
      implicit: implicitInboxes(config),
    },
    health: { providers: async () => Promise.all((await import('../../activities/health/providers.js')).providerChecks(config)) },
  };
}
