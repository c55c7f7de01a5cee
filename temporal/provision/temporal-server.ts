// Temporal's own server and its SQL schema tool, built from the Go module proxy (the release
// binaries live on GitHub, which this machine and CI cannot reach), and the two PostgreSQL
// schemas the server needs, created with the tool's embedded postgresql/v12 set. Used by the
// cluster test (tests/e2e/temporal-cluster.test.ts) and scripts/temporal-cluster.ts.
// v1.32.1: the newest tag this machine's Go (1.26) builds; later patch tags need a newer Go.
import { ensureGoTool, type GoTool } from './go-tool.js';
import { noLog, run, tail, type Log } from './exec.js';

export const TEMPORAL_SERVER_VERSION = 'v1.32.1';
export const TEMPORAL_SERVER: GoTool = {
  bin: 'server',
  pkg: 'go.temporal.io/server/cmd/server',
  module: 'go.temporal.io/server',
  version: TEMPORAL_SERVER_VERSION,
};
export const TEMPORAL_SQL_TOOL: GoTool = {
  bin: 'sql',
  pkg: 'go.temporal.io/server/cmd/tools/sql',
  module: 'go.temporal.io/server',
  version: TEMPORAL_SERVER_VERSION,
};

export interface TemporalServerTools {
  server: string;
  sqlTool: string;
}

/** Both binaries, built when missing (the tool second: it reuses most of the server's compiled packages). */
export async function ensureTemporalServerTools(log: Log = noLog, opts: { nice?: boolean } = {}): Promise<TemporalServerTools> {
  const server = await ensureGoTool(TEMPORAL_SERVER, log, opts);
  const sqlTool = await ensureGoTool(TEMPORAL_SQL_TOOL, log, opts);
  return { server, sqlTool };
}

export interface TemporalDb {
  host: string;
  port: number;
  user: string;
  password: string;
  /** Default temporal / temporal_visibility. */
  database?: string;
  visibilityDatabase?: string;
}

/** The databases and their embedded schema names, in the order the server expects them. */
const schemasOf = (db: TemporalDb) => [
  { database: db.database ?? 'temporal', schema: 'postgresql/v12/temporal' },
  { database: db.visibilityDatabase ?? 'temporal_visibility', schema: 'postgresql/v12/visibility' },
];

/**
 * Creates both databases when missing and brings their schemas to the tool's latest version.
 * Idempotent: create-database ignores an existing one, setup-schema -v 0.0 only makes the version
 * tables (IF NOT EXISTS), and update-schema applies only the versions not yet applied — the same
 * sequence upgrades a cluster's schema after a server upgrade (docs/RUNBOOK.md).
 */
export async function setupTemporalSchemas(sqlTool: string, db: TemporalDb, log: Log = noLog): Promise<void> {
  // The password goes by environment (SQL_PASSWORD), never on a command line other users can list.
  const env = { ...process.env, SQL_PASSWORD: db.password };
  const base = ['--plugin', 'postgres12', '--ep', db.host, '-p', String(db.port), '-u', db.user];
  for (const { database, schema } of schemasOf(db)) {
    // create-database connects to the `postgres` database and creates `--db`.
    const steps = [['create-database'], ['setup-schema', '-v', '0.0'], ['update-schema', '--schema-name', schema]];
    for (const step of steps) {
      const res = await run(sqlTool, [...base, '--db', database, ...step], { env, timeoutMs: 5 * 60_000 });
      if (res.code !== 0) throw new Error(`temporal-sql-tool ${step.join(' ')} failed (exit ${res.code ?? res.signal}):\n${tail(res.output)}`);
    }
    log(`schema ${schema} ready in database ${database}`);
  }
}
