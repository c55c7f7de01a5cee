// The embedded database's files hold API key hashes, the suppression list and every lead: they
// are the owner's alone. Directories 0700, files 0600, and a process umask of 077 so whatever
// PGlite (or anything else in this process) writes later is born private too.
import { chmod, readdir } from 'node:fs/promises';
import { join } from 'node:path';

async function restrict(path: string, isDir: boolean): Promise<void> {
  await chmod(path, isDir ? 0o700 : 0o600);
  if (!isDir) return;
  for (const e of await readdir(path, { withFileTypes: true })) {
    if (e.isSymbolicLink()) continue;
    await restrict(join(path, e.name), e.isDirectory());
  }
}

/** Makes `dataDir` and everything under it private to this user, now and for files created later. */
export async function restrictDataDir(dataDir: string): Promise<void> {
  process.umask(0o077);
  await restrict(dataDir, true);
}
