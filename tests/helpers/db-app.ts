// The API over a test database alone, for routes that never reach Temporal (campaign definition,
// import, preview and stats; suppressions): a Temporal client that is never called, so a route
// that did reach for one would fail loudly.
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { buildApp } from '../../api/app.js';
import { createLogger } from '../../config/logger.js';
import { createApiKey, type Database } from '../../db/index.js';

export const dbOnlyApp = (db: Kysely<Database>): Promise<FastifyInstance> =>
  buildApp({ leadIdSecret: 'x'.repeat(32), db, temporal: {} as never, logger: createLogger('silent', 'api') });

/** An Authorization header for a new API key with these scopes. */
export async function bearer(db: Kysely<Database>, name: string, scopes: Parameters<typeof createApiKey>[2]): Promise<{ authorization: string }> {
  return { authorization: `Bearer ${(await createApiKey(db, name, scopes)).key}` };
}
