// Backup and restore of the application database on PostgreSQL: pg_dump's custom format in, the
// same archive out through pg_restore. The manifest's row counts and pg_dump read one exported
// snapshot, so the counts describe exactly the rows in the archive even while workers write.
import { createReadStream, createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import pg from 'pg';
import { inventory, occupiedTables, type Inventory } from './inventory.js';
import { BackupRefused, type Manifest, type OpenedBackup } from './manifest.js';
import { connectionArgs, findPgTool, runPgTool } from './pg-tools.js';

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  // An idle-client error after the work is done must not crash the command.
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

const queryWith = (c: pg.Client) => async (text: string) => (await c.query<Record<string, unknown>>(text)).rows;

export function postgresInventory(url: string): Promise<Inventory> {
  return withClient(url, (c) => inventory(queryWith(c)));
}

/** Dumps into `payloadFile`; returns what the manifest needs besides the checksum. */
export async function dumpPostgres(url: string, payloadFile: string): Promise<Pick<Manifest, 'migrations' | 'tables' | 'tool'>> {
  const pgDump = findPgTool('pg_dump');
  const { dbname, env } = connectionArgs(url);
  const tool = (await runPgTool(pgDump, ['--version'], { env })).trim();
  return withClient(url, async (c) => {
    await c.query('begin isolation level repeatable read read only');
    try {
      const [snap] = (await c.query<{ id: string }>('select pg_export_snapshot() as id')).rows;
      const inv = await inventory(queryWith(c));
      await runPgTool(pgDump, ['--format=custom', `--snapshot=${snap!.id}`, `--file=${payloadFile}`, `--dbname=${dbname}`], { env });
      return { ...inv, tool };
    } finally {
      await c.query('rollback');
    }
  });
}

/** pg_restore --list over the payload: the archive's table of contents must name every table's data. */
export async function verifyPostgresPayload(file: string, opened: OpenedBackup): Promise<string> {
  const list = await runPgTool(findPgTool('pg_restore'), ['--list'], { env: process.env, stdin: createReadStream(file, { start: opened.offset }) });
  const withData = new Set([...list.matchAll(/ TABLE DATA public (\S+) /g)].map((m) => m[1]));
  const missing = Object.keys(opened.manifest.tables).filter((t) => !withData.has(t));
  if (missing.length > 0) throw new BackupRefused(`${file}: the archive lacks the data of ${missing.join(', ')}`);
  return `pg_restore --list: ${list.split('\n').filter((l) => /^\d+;/.test(l)).length} entries, data for all ${withData.size} tables`;
}

/**
 * Restores into the database at `url`. The schema is dropped and the archive replayed in ONE psql
 * transaction: a failure half-way leaves the database as it was, never empty or half-restored.
 */
export async function restorePostgres(url: string, file: string, opened: OpenedBackup, force: boolean): Promise<Inventory> {
  const occupied = occupiedTables(await postgresInventory(url));
  if (occupied.length > 0 && !force) {
    throw new BackupRefused(`the database is not empty (${occupied.join(', ')}): restore --force drops everything in it first`);
  }
  const { dbname, env } = connectionArgs(url);
  // pg_restore writes the archive as SQL so psql can run it in the same transaction as the drop.
  const script = `${file}.restore-${process.pid}.sql`;
  try {
    const out = createWriteStream(script, { mode: 0o600 });
    await runPgTool(findPgTool('pg_restore'), ['--no-owner', '--no-acl', '--file=-'], {
      env,
      stdin: createReadStream(file, { start: opened.offset }),
      stdout: out,
    });
    await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
    await runPgTool(
      findPgTool('psql'),
      [
        '--no-psqlrc',
        '--quiet',
        '--single-transaction',
        '-v',
        'ON_ERROR_STOP=1',
        '-c',
        'drop schema if exists public cascade; create schema public',
        '-f',
        script,
        `--dbname=${dbname}`,
      ],
      { env },
    );
  } finally {
    await rm(script, { force: true });
  }
  return postgresInventory(url);
}
