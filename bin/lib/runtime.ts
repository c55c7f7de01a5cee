// Shared start-up for commands: config, logger, database (with the embedded lock) and graceful
// shutdown on SIGINT/SIGTERM, so every long-running command stops the same clean way.
import type { Kysely } from 'kysely';
import { loadConfig, type Config } from '../../config/index.js';
import { createLogger, type Logger } from '../../config/logger.js';
import { createDb, migrateToLatest, type Database } from '../../db/index.js';
import { acquireEmbeddedLock } from './embedded-lock.js';

export interface OpenedDb { db: Kysely<Database>; kind: 'postgres' | 'pglite'; close(): Promise<void> }

export function setup(name: string): { config: Readonly<Config>; log: Logger } {
  const config = loadConfig();
  return { config, log: createLogger(config.logLevel, name) };
}

export async function openDatabase(config: Readonly<Config>, opts: { apiUrl?: string | null; migrate?: boolean } = {}): Promise<OpenedDb> {
  const release = config.databaseUrl === undefined ? acquireEmbeddedLock(config.dataDir, opts.apiUrl ?? null) : () => undefined;
  try {
    const opened = await createDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    if (opts.migrate) await migrateToLatest(opened.db);
    return { db: opened.db, kind: opened.kind, close: async () => { try { await opened.close(); } finally { release(); } } };
  } catch (err) {
    release();
    throw err;
  }
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
