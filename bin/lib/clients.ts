// Database + Temporal client + ingestor for one-shot commands, closed together.
import type { Client } from '@temporalio/client';
import type { Kysely } from 'kysely';
import type { Ingest } from '../../intake/ingest.js';
import type { Database } from '../../db/index.js';
import { openDatabase, setup } from './runtime.js';

export interface CommandContext {
  db: Kysely<Database>;
  client: Client;
  ingest: Ingest;
}

export async function withIngest<T>(name: string, fn: (ctx: CommandContext) => Promise<T>): Promise<T> {
  const { config, log } = setup(name);
  const opened = await openDatabase(config, { migrate: true });
  try {
    // Loaded on use: withDb's commands must not import @temporalio/client.
    const [{ connectClient }, { createIngestor }, { dataConverterFromConfig }, { leadIdSecret }] = await Promise.all([
      import('../../temporal/connection.js'),
      import('../../intake/ingest.js'),
      import('../../temporal/data-converter.js'),
      import('../../temporal/lead-ids.js'),
    ]);
    const client = await connectClient(config.temporal, await dataConverterFromConfig(config));
    try {
      return await fn({
        db: opened.db,
        client,
        ingest: createIngestor({ client, db: opened.db, log, leadIdSecret: await leadIdSecret(config), dealerInboxes: config.dealerInboxes }),
      });
    } finally {
      await client.connection.close();
    }
  } finally {
    await opened.close();
  }
}

export async function withDb<T>(name: string, fn: (db: Kysely<Database>) => Promise<T>): Promise<T> {
  const { config } = setup(name);
  const opened = await openDatabase(config, { migrate: true });
  try {
    return await fn(opened.db);
  } finally {
    await opened.close();
  }
}
