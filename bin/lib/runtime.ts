// Shared start-up for commands: config, logger, database and graceful shutdown on
// SIGINT/SIGTERM, so every long-running command stops the same clean way.
import type { Kysely } from 'kysely';
import { pino } from 'pino';
import { loadConfig, type Config } from '../../config/index.js';
import { createLogger, type Logger } from '../../config/logger.js';
import type { Database } from '../../db/index.js';
import { freePort } from '../../temporal/net.js';

export interface OpenedDb {
  db: Kysely<Database>;
  kind: 'postgres' | 'pglite';
  /** How the database was reached, for messages. */
  via: 'DATABASE_URL' | 'embedded' | 'embedded-served' | 'embedded-owner';
  close(): Promise<void>;
}

export function setup(name: string): { config: Readonly<Config>; log: Logger } {
  const config = loadConfig();
  // stdout carries command output (JSON, ids); logs go to stderr so they never mix with it.
  return { config, log: createLogger(config.logLevel, name, pino.destination(2)) };
}

/**
 * DATABASE_URL → PostgreSQL. Otherwise the embedded database: through the process that already
 * serves it when one runs; else opened here — and served to other processes when `serve` is set
 * (long-running commands), or opened privately (one-shot commands).
 */
export async function openDatabase(config: Readonly<Config>, opts: { serve?: boolean; apiUrl?: string | null; migrate?: boolean } = {}): Promise<OpenedDb> {
  // Loaded here, not at the top: commands that only need setup() must not import kysely.
  const [{ createDb, migrateToLatest }, { embeddedOwner, recordEmbeddedOwner }] = await Promise.all([
    import('../../db/index.js'),
    import('./embedded-owner.js'),
  ]);
  const finish = async (
    handle: { db: Kysely<Database>; close(): Promise<void> },
    kind: OpenedDb['kind'],
    via: OpenedDb['via'],
    cleanup = () => undefined as void,
  ) => {
    try {
      if (opts.migrate) await migrateToLatest(handle.db);
    } catch (err) {
      await handle.close();
      cleanup();
      throw err;
    }
    return {
      db: handle.db,
      kind,
      via,
      close: async () => {
        try {
          await handle.close();
        } finally {
          cleanup();
        }
      },
    };
  };
  if (config.databaseUrl !== undefined) {
    return finish(await createDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir }), 'postgres', 'DATABASE_URL');
  }
  const owner = embeddedOwner(config.dataDir);
  if (owner !== null) {
    return finish(await createDb({ databaseUrl: owner.dbUrl, dataDir: config.dataDir, poolMax: 2 }), 'pglite', 'embedded-owner');
  }
  if (!opts.serve) return finish(await createDb({ dataDir: config.dataDir }), 'pglite', 'embedded');
  const handle = await createDb({ dataDir: config.dataDir, serveEmbedded: { host: '127.0.0.1', port: await freePort() } });
  const forget = recordEmbeddedOwner(config.dataDir, { dbUrl: handle.embeddedUrl!, apiUrl: opts.apiUrl ?? null });
  return finish(handle, 'pglite', 'embedded-served', forget);
}

/** An AbortSignal that fires on the first SIGINT/SIGTERM; a second one exits at once. */
export function shutdownSignal(log: Logger): AbortSignal {
  const ctrl = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    if (ctrl.signal.aborted) {
      log.warn({ sig }, 'second signal: exiting now');
      process.exit(130);
    }
    log.info({ sig }, 'shutting down');
    ctrl.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return ctrl.signal;
}
