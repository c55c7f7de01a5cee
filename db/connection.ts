import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
// PGlite (WASM) and its helpers load only when the embedded database is used: most processes
// reach PostgreSQL, or the embedded one through its socket, and should not pay for them.
import type { PGlite, ParserOptions } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { restrictDataDir } from './data-dir.js';
import { lockPgliteDir } from './pglite-lock.js';
import type { Database } from './schema.js';

export type DbKind = 'postgres' | 'pglite';

export interface CreateDbOptions {
  /** Set: use this PostgreSQL server. Unset: embedded PGlite under `${dataDir}/pglite`. */
  databaseUrl?: string | undefined;
  dataDir: string;
  poolMax?: number | undefined;
  /** An idle pooled client died (server restart, network). Defaults to a stderr line. */
  onPoolError?: ((error: Error) => void) | undefined;
  /**
   * PGlite only: also serve the embedded database over the PostgreSQL wire protocol on this
   * loopback port, so other processes (CLI commands beside `leadflow up`) can share it. All
   * access, this process's included, then goes through that server: its queue keeps each
   * connection's transaction whole, which direct in-process queries would not respect.
   */
  serveEmbedded?: { host: string; port: number } | undefined;
}

export interface DbHandle {
  db: Kysely<Database>;
  kind: DbKind;
  /** Set when an embedded database is served to other processes: their DATABASE_URL. */
  embeddedUrl?: string;
  /** Idempotent. */
  close(): Promise<void>;
}

const OID = { INT8: 20, DATE: 1082, TIMESTAMPTZ: 1184 } as const;
const keepText = (value: string): string => value;

// The two drivers disagree out of the box; these tables make them agree so repository
// code and tests see one shape:
// - int8 (bigserial ids, count(*)): pg gives a string, PGlite a lossy number -> string.
// - date: pg builds a Date at *local* midnight, PGlite at UTC midnight -> keep the text.
// - timestamptz: both already give Date; pinned here so it stays that way.
// Per-pool overrides rather than pg.types.setTypeParser, which would change every other
// pg user in the process.
const pgTypes = new pg.TypeOverrides();
pgTypes.setTypeParser(OID.INT8, 'text', keepText);
pgTypes.setTypeParser(OID.DATE, 'text', keepText);
pgTypes.setTypeParser(OID.TIMESTAMPTZ, 'text', pg.types.getTypeParser(OID.TIMESTAMPTZ, 'text') as (value: string) => Date);

// PGlite's own timestamptz parser already returns Date; only the differing ones change.
const pgliteParsers: ParserOptions = {
  [OID.INT8]: keepText,
  [OID.DATE]: keepText,
};

function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<unparseable DATABASE_URL>';
  }
}

// Node reports a refused dual-stack connect (localhost -> ::1 and 127.0.0.1) as an
// AggregateError with an empty message; the code is the useful part then.
function reason(error: unknown): string {
  const e = error as Partial<NodeJS.ErrnoException> | undefined;
  return e?.message || e?.code || String(error);
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let closing: Promise<void> | undefined;
  return () => (closing ??= fn());
}

async function createPostgres(url: string, opts: CreateDbOptions): Promise<DbHandle> {
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.poolMax ?? 10,
    types: pgTypes,
    // Without these a dead server makes every query wait forever for a client.
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
  });
  // Unhandled, an idle client's error event would crash the process; pg already
  // discards that client, so the next query simply gets a fresh one.
  const onPoolError = opts.onPoolError ?? ((error: Error) => console.error(`[db] idle PostgreSQL client error: ${error.message}`));
  pool.on('error', onPoolError);
  // A checked-out client loses the pool's listener (pg-pool removes it), and pg's Client emits
  // 'error' when the server drops the connection mid-query: unhandled, that killed the process on
  // every PostgreSQL restart (found by the fault suite). The query itself still rejects.
  pool.on('connect', (client) => client.on('error', onPoolError));

  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  try {
    // Fail at startup with a readable message rather than at the first lead.
    await sql`select 1`.execute(db);
  } catch (error) {
    await db.destroy();
    throw new Error(`cannot connect to PostgreSQL at ${redact(url)}: ${reason(error)}`, {
      cause: error,
    });
  }
  return { db, kind: 'postgres', close: once(() => db.destroy()) };
}

async function createPglite(dataDir: string, opts: CreateDbOptions): Promise<DbHandle> {
  const dir = join(dataDir, 'pglite');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await restrictDataDir(dataDir);
  // Not pglite.lock: the CLI keeps its own lock (with the API URL) under that name.
  const release = lockPgliteDir(dir, join(dataDir, 'pglite.open.lock'));
  let pglite: PGlite;
  try {
    const { PGlite } = await import('@electric-sql/pglite');
    pglite = await PGlite.create({ dataDir: dir, parsers: pgliteParsers });
  } catch (error) {
    release();
    throw new Error(`cannot open embedded database at ${dir}: ${reason(error)}`, {
      cause: error,
    });
  }
  if (opts.serveEmbedded !== undefined) return serveEmbedded(pglite, release, opts.serveEmbedded, opts);
  // PGlite has a single connection; the dialect queues concurrent Kysely connections
  // (and whole transactions) behind one another, so parallel callers are safe but a
  // transaction that awaits a query on `db` instead of its `trx` would wait forever.
  const { PGliteDialect } = await import('kysely-pglite-dialect');
  const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
  return {
    db,
    kind: 'pglite',
    close: once(async () => {
      try {
        await db.destroy(); // closes PGlite, flushing it to disk
      } finally {
        release();
      }
    }),
  };
}

/**
 * The embedded server's password: generated once into the data directory, readable by its owner
 * only. Every client (this process's pool, CLI commands beside `leadflow up`) reads it from there.
 */
export async function embeddedPassword(dataDir: string): Promise<string> {
  const file = join(dataDir, 'embedded-db.password');
  try {
    const existing = (await readFile(file, 'utf8')).trim();
    if (existing !== '') {
      await chmod(file, 0o600);
      return existing;
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const password = randomBytes(24).toString('base64url');
  await writeFile(file, `${password}\n`, { mode: 0o600, flag: 'w' });
  return password;
}

async function serveEmbedded(pglite: PGlite, release: () => void, at: { host: string; port: number }, opts: CreateDbOptions): Promise<DbHandle> {
  const password = await embeddedPassword(opts.dataDir);
  const { EmbeddedServer } = await import('./embedded-server.js');
  const server = new EmbeddedServer(pglite, { host: at.host, port: at.port, password });
  try {
    await server.start();
  } catch (error) {
    await pglite.close();
    release();
    throw new Error(`cannot serve the embedded database on ${at.host}:${at.port}: ${reason(error)}`, { cause: error });
  }
  const url = `postgres://postgres:${encodeURIComponent(password)}@${at.host}:${at.port}/postgres`;
  const shutdown = async () => {
    try {
      await server.stop();
      await pglite.close();
    } finally {
      release();
    }
  };
  let client: DbHandle;
  try {
    client = await createPostgres(url, { ...opts, poolMax: opts.poolMax ?? 4 });
  } catch (error) {
    await shutdown();
    throw error;
  }
  return {
    db: client.db,
    kind: 'pglite',
    embeddedUrl: url,
    close: once(async () => {
      try {
        await client.close();
      } finally {
        await shutdown();
      }
    }),
  };
}

export function createDb(opts: CreateDbOptions): Promise<DbHandle> {
  return opts.databaseUrl ? createPostgres(opts.databaseUrl, opts) : createPglite(opts.dataDir, opts);
}

/**
 * `select 1` bounded by `timeoutMs`, for health/readiness checks: resolves with the
 * latency, rejects when the database errors or is too slow. A timed-out query is not
 * cancelled (PGlite can't be), it is only no longer waited for.
 */
export async function checkDb(db: Kysely<Database>, timeoutMs = 2_000): Promise<{ latencyMs: number }> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`database did not answer within ${timeoutMs} ms`)), timeoutMs);
    timer.unref();
  });
  try {
    const query = sql`select 1`.execute(db);
    // If the timeout wins, the query may still fail later: that rejection is already answered.
    query.catch(() => undefined);
    await Promise.race([query, timeout]);
    return { latencyMs: Math.round(performance.now() - started) };
  } finally {
    clearTimeout(timer);
  }
}
