// Infrastructure clients as decorations. The app does not own them (the process that built them
// closes them), except when asked to: then onClose releases them with the server.
import type { Client } from '@temporalio/client';
import fp from 'fastify-plugin';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.js';

declare module 'fastify' {
  interface FastifyInstance {
    db: Kysely<Database>;
    temporal: Client;
  }
}

export interface InfraOptions {
  db: Kysely<Database>;
  temporal: Client;
  /** Close the clients when the server closes. */
  owns?: boolean;
}

export const infraPlugin = fp<InfraOptions>(
  async (app, opts) => {
    app.decorate('db', opts.db);
    app.decorate('temporal', opts.temporal);
    if (opts.owns) {
      app.addHook('onClose', async () => {
        await opts.temporal.connection.close();
        await opts.db.destroy();
      });
    }
  },
  { name: 'infra' },
);
