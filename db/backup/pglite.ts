// Backup and restore of the embedded PGlite database: its own data-directory dump (a gzipped
// tarball from dumpDataDir) and PGlite's loadDataDir. PGlite allows one opener, so these hold the
// same lock as the product: with `leadflow up` running they refuse, naming the process.
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { restrictDataDir } from '../data-dir.js';
import { lockPgliteDir } from '../pglite-lock.js';
import { inventory, occupiedTables, type Inventory } from './inventory.js';
import { BackupRefused, type Manifest, type OpenedBackup } from './manifest.js';
import { listTar } from './tar.js';

const dbDir = (dataDir: string) => join(dataDir, 'pglite');
// The product's own lock file (db/connection.ts): backup and a running leadflow exclude each other.
const lockFile = (dataDir: string) => join(dataDir, 'pglite.open.lock');

async function openPglite(opts: { dataDir?: string; loadDataDir?: Blob }): Promise<PGlite> {
  const { PGlite } = await import('@electric-sql/pglite');
  return PGlite.create(opts);
}

const queryWith = (p: PGlite) => async (text: string) => (await p.query<Record<string, unknown>>(text)).rows;

async function withLock<T>(dataDir: string, fn: () => Promise<T>): Promise<T> {
  const release = lockPgliteDir(dbDir(dataDir), lockFile(dataDir));
  try {
    return await fn();
  } finally {
    release();
  }
}

/** Dumps the embedded database into `payloadFile`; returns what the manifest needs besides the checksum. */
export function dumpPglite(dataDir: string, payloadFile: string): Promise<Pick<Manifest, 'migrations' | 'tables' | 'tool'>> {
  const dir = dbDir(dataDir);
  if (!existsSync(join(dir, 'PG_VERSION'))) throw new BackupRefused(`no embedded database at ${dir} (set LEADFLOW_DATA_DIR, or DATABASE_URL for PostgreSQL)`);
  return withLock(dataDir, async () => {
    const db = await openPglite({ dataDir: dir });
    try {
      const inv = await inventory(queryWith(db));
      const [v] = await queryWith(db)('select version() as v');
      const tarball = await db.dumpDataDir('gzip');
      await writeFile(payloadFile, Buffer.from(await tarball.arrayBuffer()), { mode: 0o600 });
      return { ...inv, tool: `PGlite (${String(v?.v).split(' on ')[0]})` };
    } finally {
      await db.close();
    }
  });
}

/** Loads a payload into a throwaway in-memory PGlite and counts its rows; never touches the data dir. */
export async function verifyPglitePayload(file: string, opened: OpenedBackup): Promise<string> {
  const payload = (await readFile(file)).subarray(opened.offset);
  let entries: string[];
  try {
    entries = listTar(payload);
  } catch (error) {
    throw new BackupRefused(`${file}: the PGlite dump is not a whole tarball (${(error as Error).message})`);
  }
  if (!entries.some((e) => e.replace(/^\.?\//, '') === 'PG_VERSION')) throw new BackupRefused(`${file}: the tarball holds no PostgreSQL data directory`);
  const db = await openPglite({ loadDataDir: new Blob([payload]) });
  try {
    const inv = await inventory(queryWith(db));
    assertSameRows(inv, opened.manifest, file);
  } finally {
    await db.close();
  }
  return `tarball of ${entries.length} entries; loaded in memory, every table's row count matches`;
}

export function assertSameRows(inv: Inventory, m: Manifest, what: string): void {
  const differ = Object.entries(m.tables).filter(([t, n]) => inv.tables[t] !== n);
  if (differ.length > 0) {
    throw new BackupRefused(
      `${what}: row counts differ from the manifest (${differ.map(([t, n]) => `${t}: ${inv.tables[t] ?? 'missing'} vs ${n}`).join(', ')})`,
    );
  }
}

/**
 * Loads the dump into a fresh directory beside the live one, checks it, and only then swaps it in:
 * a failed load leaves the existing database untouched.
 */
export async function restorePglite(dataDir: string, file: string, opened: OpenedBackup, force: boolean): Promise<Inventory> {
  const dir = dbDir(dataDir);
  // The lock file lives in the data dir, which a restore onto a new machine has yet to create.
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  return withLock(dataDir, async () => {
    if (existsSync(join(dir, 'PG_VERSION'))) {
      const current = await openPglite({ dataDir: dir });
      let occupied: string[];
      try {
        occupied = occupiedTables(await inventory(queryWith(current)));
      } finally {
        await current.close();
      }
      if (occupied.length > 0 && !force) {
        throw new BackupRefused(`the embedded database is not empty (${occupied.join(', ')}): restore --force replaces it`);
      }
    }
    const staging = `${dir}.restoring-${process.pid}`;
    const replaced = `${dir}.replaced-${process.pid}`;
    await rm(staging, { recursive: true, force: true });
    try {
      const payload = (await readFile(file)).subarray(opened.offset);
      const db = await openPglite({ dataDir: staging, loadDataDir: new Blob([payload]) });
      let inv: Inventory;
      try {
        inv = await inventory(queryWith(db));
      } finally {
        await db.close();
      }
      assertSameRows(inv, opened.manifest, 'the restored database');
      if (existsSync(dir)) await rename(dir, replaced);
      await rename(staging, dir);
      await rm(replaced, { recursive: true, force: true });
      await restrictDataDir(dataDir);
      return inv;
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  });
}
