// leadflow backup / restore through the real CLI: PostgreSQL (pg_dump/pg_restore on a throwaway
// cluster) and the embedded PGlite database (its own dump). Each round trip seeds through the
// repositories, backs up, destroys, restores and compares whole row sets.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { createDb, migrateToLatest, type DbHandle } from '../../db/index.js';
import { MAGIC } from '../../db/backup/manifest.js';
import { runCli } from '../helpers/cli.js';
import { scratchDir, startPostgres, type PostgresServer } from '../helpers/postgres.js';
import { seedBackupRows, snapshotRows } from '../helpers/backup/seed.js';

const tmp = fs.mkdtempSync(path.join(scratchDir(), 'leadflow-backup-'));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function admin(url: string, text: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(text);
  } finally {
    await c.end();
  }
}

/** A copy of `file` with one payload byte flipped (the header stays intact). */
function corrupt(file: string, to: string): void {
  const bytes = fs.readFileSync(file);
  bytes[bytes.length - 100] = bytes[bytes.length - 100]! ^ 0xff;
  fs.writeFileSync(to, bytes);
}

/** A copy of `file` whose manifest claims a migration this code has never heard of. */
function fromTheFuture(file: string, to: string): void {
  const bytes = fs.readFileSync(file);
  const end = bytes.indexOf(0x0a, MAGIC.length);
  const manifest = JSON.parse(bytes.subarray(MAGIC.length, end).toString()) as { migrations: string[] };
  manifest.migrations.push('2099_01_01_0099_future');
  fs.writeFileSync(to, Buffer.concat([Buffer.from(`${MAGIC}${JSON.stringify(manifest)}\n`), bytes.subarray(end + 1)]));
}

describe('backup and restore on PostgreSQL', () => {
  let server: PostgresServer;
  let env: Record<string, string>;
  let dbUrl: string;
  const file = path.join(tmp, 'pg.backup');

  const withDb = async <T>(fn: (h: DbHandle) => Promise<T>): Promise<T> => {
    const h = await createDb({ databaseUrl: dbUrl, dataDir: tmp });
    try {
      return await fn(h);
    } finally {
      await h.close();
    }
  };

  before(async () => {
    server = await startPostgres();
    await admin(server.url, 'create database app');
    dbUrl = Object.assign(new URL(server.url), { pathname: '/app' }).toString();
    env = { DATABASE_URL: dbUrl, LEADFLOW_DATA_DIR: path.join(tmp, 'pg-data') };
    await withDb(async (h) => {
      await migrateToLatest(h.db);
      await seedBackupRows(h.db, 12);
    });
  });
  after(() => server?.stop());

  test('backs up, survives a dropped database, restores every row; refuses what it must', async () => {
    const before = await withDb((h) => snapshotRows(h.db));
    assert.equal((JSON.parse(before.leads!) as unknown[]).length, 12);

    const made = await runCli(['backup', file], env);
    assert.equal(made.code, 0, made.stderr);
    assert.match(made.stdout, /12 leads, 12 outbox, 4 suppressions, 2 API keys/);
    assert.equal(fs.statSync(file).mode & 0o777, 0o600, 'the dump holds key hashes: owner-only');
    assert.doesNotMatch(made.stdout + made.stderr, /secret_hash|[0-9a-f]{64}/, 'no hash is printed');

    const good = await runCli(['restore', file, '--verify-only'], env);
    assert.equal(good.code, 0, good.stderr);
    assert.match(good.stdout, /good backup[\s\S]*pg_restore --list/);

    corrupt(file, path.join(tmp, 'pg-corrupt.backup'));
    const bad = await runCli(['restore', path.join(tmp, 'pg-corrupt.backup'), '--verify-only'], env);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /checksum does not match/);
    assert.equal(bad.stderr.trim().split('\n').length, 1, 'a one-line reason');

    fs.writeFileSync(path.join(tmp, 'not-a-backup'), 'PGDMP but not ours');
    const foreign = await runCli(['restore', path.join(tmp, 'not-a-backup'), '--verify-only'], env);
    assert.equal(foreign.code, 1);
    assert.match(foreign.stderr, /not a leadflow backup/);

    // The live database still holds every row: no silent merge.
    const refused = await runCli(['restore', file], env);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /not empty \(.*leads \(12\).*\): restore --force/);

    fromTheFuture(file, path.join(tmp, 'pg-future.backup'));
    const future = await runCli(['restore', path.join(tmp, 'pg-future.backup'), '--force'], env);
    assert.equal(future.code, 1);
    assert.match(future.stderr, /newer than this leadflow knows \(migration 2099_01_01_0099_future\)/);

    const wrongKind = await runCli(['restore', file], { LEADFLOW_DATA_DIR: path.join(tmp, 'elsewhere') });
    assert.equal(wrongKind.code, 1);
    assert.match(wrongKind.stderr, /is a postgres backup; this installation uses the embedded PGlite/);

    await admin(server.url, 'drop database app with (force)');
    await admin(server.url, 'create database app');
    const restored = await runCli(['restore', file], env);
    assert.equal(restored.code, 0, restored.stderr);
    assert.deepEqual(await withDb((h) => snapshotRows(h.db)), before);
    // The restored schema is the current one: nothing left for migrate to do.
    assert.deepEqual(await withDb(async (h) => (await migrateToLatest(h.db)).applied), []);
  });

  test('--force replaces a database that holds other rows', async () => {
    const before = await withDb((h) => snapshotRows(h.db));
    await withDb((h) => seedBackupRows(h.db, 2, 'later'));
    assert.notDeepEqual(await withDb((h) => snapshotRows(h.db)), before);
    const forced = await runCli(['restore', file, '--force'], env);
    assert.equal(forced.code, 0, forced.stderr);
    assert.deepEqual(await withDb((h) => snapshotRows(h.db)), before);
  });
});

describe('backup and restore of the embedded PGlite database', () => {
  const dataDir = path.join(tmp, 'pglite-data');
  const env = { LEADFLOW_DATA_DIR: dataDir };
  const file = path.join(tmp, 'pglite.backup');
  const withDb = async <T>(fn: (h: DbHandle) => Promise<T>): Promise<T> => {
    const h = await createDb({ dataDir });
    try {
      return await fn(h);
    } finally {
      await h.close();
    }
  };
  // PGlite's initdb (~15 s of WASM in this process) overlaps the PostgreSQL suite, which mostly
  // waits on child processes.
  const seeded = withDb(async (h) => {
    await migrateToLatest(h.db);
    await seedBackupRows(h.db, 5, 'e');
    return snapshotRows(h.db);
  });
  seeded.catch(() => undefined); // reported by the test that awaits it

  test('round trip through a removed data directory; verify-only and the refusals', async () => {
    const before = await seeded;

    const made = await runCli(['backup', file], env);
    assert.equal(made.code, 0, made.stderr);
    assert.match(made.stdout, /kind pglite[\s\S]*5 leads, 5 outbox, 2 suppressions, 2 API keys/);

    const good = await runCli(['restore', file, '--verify-only'], env);
    assert.equal(good.code, 0, good.stderr);
    assert.match(good.stdout, /loaded in memory, every table's row count matches/);
    corrupt(file, path.join(tmp, 'pglite-corrupt.backup'));
    const bad = await runCli(['restore', path.join(tmp, 'pglite-corrupt.backup'), '--verify-only'], env);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /checksum does not match/);

    const refused = await runCli(['restore', file], env);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /embedded database is not empty \(.*leads \(5\)/);
    const wrongKind = await runCli(['restore', file], { ...env, DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' });
    assert.equal(wrongKind.code, 1);
    assert.match(wrongKind.stderr, /is a pglite backup; this installation uses PostgreSQL/);

    fs.rmSync(path.join(dataDir, 'pglite'), { recursive: true });
    const restored = await runCli(['restore', file], env);
    assert.equal(restored.code, 0, restored.stderr);
    assert.deepEqual(await withDb((h) => snapshotRows(h.db)), before);
    assert.deepEqual(
      fs.readdirSync(dataDir).filter((f) => f.includes('restoring') || f.includes('replaced')),
      [],
      'no staging directory is left behind',
    );
  });
});
