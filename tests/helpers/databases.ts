// Runs one test suite against every database kind the app supports, each time on a
// fresh database: embedded PGlite in a temp dir, and a real PostgreSQL. The same
// assertions passing on both is what lets the app treat them as interchangeable.
import { cpSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe } from 'node:test';
import { PGlite } from '@electric-sql/pglite';
import type { Kysely } from 'kysely';
import { createDb, migrateToLatest, type Database, type DbHandle, type DbKind } from '../../db/index.js';
import { createTempDatabase, scratchDir, startPostgres, type PostgresServer } from './postgres.js';

export interface TestDatabase {
  readonly kind: DbKind;
  /** Only valid inside tests/hooks: it is created in the suite's before(). */
  readonly db: Kysely<Database>;
  /** What the setup migration applied ([] when the suite asked for no migration). */
  readonly appliedOnSetup: readonly string[];
  /** The dataDir given to createDb for PGlite; undefined for PostgreSQL. */
  readonly dataDir: string | undefined;
}

export interface ForEachDatabaseOptions {
  /** Apply the app's migrations before the suite (default true). */
  migrate?: boolean;
}

const ALL_KINDS: readonly DbKind[] = ['pglite', 'postgres'];

// TEST_DB_KINDS=pglite (or postgres) narrows the run, e.g. on a machine without PostgreSQL.
function selectedKinds(): DbKind[] {
  const wanted = process.env.TEST_DB_KINDS?.split(',')
    .map((k) => k.trim())
    .filter(Boolean);
  if (!wanted?.length) return [...ALL_KINDS];
  const unknown = wanted.filter((k) => !ALL_KINDS.includes(k as DbKind));
  if (unknown.length) throw new Error(`TEST_DB_KINDS: unknown kind(s) ${unknown.join(', ')}; use ${ALL_KINDS.join(', ')}`);
  return ALL_KINDS.filter((k) => wanted.includes(k));
}

// ---- PGlite: copy a pristine template instead of running initdb each time ------------

// PGlite's WASM initdb takes 10 s or more; copying an initialised data directory takes
// well under a second. The template is keyed by PGlite version and shared across test
// processes, so only the very first run on a machine pays for initdb.
function pgliteVersion(): string {
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const pkg = JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

let templateDir: Promise<string> | undefined;

function pgliteTemplate(): Promise<string> {
  return (templateDir ??= (async () => {
    const uid = process.getuid?.() ?? 0;
    const dir = join(tmpdir(), `leadflow-pglite-template-${pgliteVersion()}-${uid}`);
    if (existsSync(join(dir, 'PG_VERSION'))) return dir;
    // Build beside the final path and rename: parallel test processes racing here each
    // build their own, one rename wins, and nobody ever sees a half-written template.
    const building = `${dir}.${process.pid}.${Date.now()}`;
    try {
      const pglite = await PGlite.create({ dataDir: building });
      await pglite.close();
      renameSync(building, dir);
    } catch (error) {
      rmSync(building, { recursive: true, force: true });
      if (!existsSync(join(dir, 'PG_VERSION'))) throw error;
    }
    return dir;
  })());
}

interface Fresh {
  handle: DbHandle;
  dataDir?: string;
  dispose(): Promise<void>;
}

async function freshPglite(): Promise<Fresh> {
  const dataDir = mkdtempSync(join(scratchDir(), 'leadflow-pglite-'));
  let handle: DbHandle;
  try {
    cpSync(await pgliteTemplate(), join(dataDir, 'pglite'), { recursive: true });
    handle = await createDb({ dataDir });
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    handle,
    dataDir,
    dispose: async () => {
      await handle.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

// ---- PostgreSQL: one server per test process, one database per suite -----------------

let server: Promise<PostgresServer> | undefined;
let postgresSuites = 0;

// Started as soon as a suite is registered, so initdb (child processes) overlaps with
// the PGlite suites (this process) instead of adding to them. A failure is reported by
// the suite that awaits it; the no-op catch only keeps it from counting as unhandled.
function postgresServer(): Promise<PostgresServer> {
  if (!server) {
    server = startPostgres();
    server.catch(() => undefined);
  }
  return server;
}

async function freshPostgres(): Promise<Fresh> {
  const { url } = await postgresServer();
  const database = await createTempDatabase(url);
  let handle: DbHandle;
  try {
    handle = await createDb({ databaseUrl: database.url, dataDir: tmpdir(), poolMax: 5 });
  } catch (error) {
    await database.drop();
    throw error;
  }
  return {
    handle,
    dispose: async () => {
      await handle.close();
      await database.drop();
    },
  };
}

// Suites are all registered before any of them runs, so counting registrations tells
// the last suite to stop the server; the exit hook in postgres.ts is only a safety net.
async function releasePostgresServer(): Promise<void> {
  postgresSuites -= 1;
  if (postgresSuites > 0 || !server) return;
  const running = server;
  server = undefined;
  // A server that never started was already reported by the suite that awaited it.
  await (await running.catch(() => undefined))?.stop();
}

// ---------------------------------------------------------------------------------------

/**
 * Registers `describe("<name> [<kind>]")` once per database kind. `fn` declares the tests
 * and reads `t.db` inside them; each kind gets its own fresh (by default migrated) database.
 */
export function forEachDatabase(name: string, fn: (t: TestDatabase) => void, options: ForEachDatabaseOptions = {}): void {
  for (const kind of selectedKinds()) {
    if (kind === 'postgres') {
      postgresSuites += 1;
      void postgresServer();
    }
    void describe(`${name} [${kind}]`, () => {
      let current: Fresh | undefined;
      let applied: string[] = [];
      const t: TestDatabase = {
        kind,
        get db() {
          if (!current) throw new Error('t.db used outside a test: the database is created in before()');
          return current.handle.db;
        },
        get appliedOnSetup() {
          return applied;
        },
        get dataDir() {
          return current?.dataDir;
        },
      };
      before(async () => {
        current = kind === 'pglite' ? await freshPglite() : await freshPostgres();
        if (options.migrate !== false) applied = (await migrateToLatest(current.handle.db)).applied;
      });
      after(async () => {
        try {
          await current?.dispose();
        } finally {
          if (kind === 'postgres') await releasePostgresServer();
        }
      });
      fn(t);
    });
  }
}
