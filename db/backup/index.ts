// `leadflow backup` / `leadflow restore`: one self-describing file per backup (manifest.ts) for
// either database the product runs on. The kind follows the configuration exactly as createDb
// does: DATABASE_URL set means PostgreSQL, unset means the embedded PGlite under the data dir.
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { migrations } from '../migrations/index.js';
import type { Inventory } from './inventory.js';
import { BackupRefused, checkFile, checkSchema, encodeHeader, payloadSha256, type BackupKind, type Manifest } from './manifest.js';
import { assertSameRows, dumpPglite, restorePglite, verifyPglitePayload } from './pglite.js';
import { dumpPostgres, restorePostgres, verifyPostgresPayload } from './postgres.js';

export { BackupRefused } from './manifest.js';
export type { BackupKind, Manifest } from './manifest.js';

export interface BackupTarget {
  databaseUrl: string | undefined;
  dataDir: string;
}

export const targetKind = (t: BackupTarget): BackupKind => (t.databaseUrl === undefined ? 'pglite' : 'postgres');

const knownMigrations = () => Object.keys(migrations);

/** Writes FILE (mode 0600: it holds sealed credentials and key hashes) and returns its manifest. */
export async function backup(target: BackupTarget, file: string): Promise<Manifest> {
  const payloadFile = `${file}.payload-${process.pid}`;
  const partial = `${file}.partial-${process.pid}`;
  try {
    const kind = targetKind(target);
    const described = kind === 'postgres' ? await dumpPostgres(target.databaseUrl!, payloadFile) : await dumpPglite(target.dataDir, payloadFile);
    const manifest: Manifest = {
      kind,
      createdAt: new Date().toISOString(),
      ...described,
      payload: { bytes: (await stat(payloadFile)).size, sha256: await payloadSha256(payloadFile, 0) },
    };
    const out = createWriteStream(partial, { mode: 0o600 });
    out.write(encodeHeader(manifest));
    await pipeline(createReadStream(payloadFile), out);
    // Renamed only when whole: an interrupted backup never leaves a FILE that looks finished.
    await rename(partial, file);
    return manifest;
  } finally {
    await rm(payloadFile, { force: true });
    await rm(partial, { force: true });
  }
}

/** Checks FILE without restoring it; returns its manifest and what was checked. Throws BackupRefused. */
export async function verifyBackup(file: string): Promise<{ manifest: Manifest; checks: string[] }> {
  const opened = await checkFile(file);
  checkSchema(opened.manifest, knownMigrations());
  const payload = opened.manifest.kind === 'postgres' ? await verifyPostgresPayload(file, opened) : await verifyPglitePayload(file, opened);
  return { manifest: opened.manifest, checks: ['header and manifest', 'payload sha256', 'schema known to this leadflow', payload] };
}

/**
 * Restores FILE into the configured database. Refuses a file of the other kind, a newer schema,
 * and (without `force`) a database that already holds data; checks the restored row counts.
 */
export async function restoreBackup(target: BackupTarget, file: string, opts: { force: boolean }): Promise<{ manifest: Manifest; restored: Inventory }> {
  const opened = await checkFile(file);
  const kind = targetKind(target);
  if (opened.manifest.kind !== kind) {
    const here = kind === 'postgres' ? 'PostgreSQL (DATABASE_URL is set)' : 'the embedded PGlite database (DATABASE_URL is unset)';
    throw new BackupRefused(`${file} is a ${opened.manifest.kind} backup; this installation uses ${here}`);
  }
  checkSchema(opened.manifest, knownMigrations());
  const restored =
    kind === 'postgres' ? await restorePostgres(target.databaseUrl!, file, opened, opts.force) : await restorePglite(target.dataDir, file, opened, opts.force);
  assertSameRows(restored, opened.manifest, 'the restored database');
  return { manifest: opened.manifest, restored };
}
