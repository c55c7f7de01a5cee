// PGlite does not lock its data directory: a second PGlite (in this or another process,
// e.g. the worker and the CLI) opens the same files happily and the two corrupt each
// other. This pid lock file makes the second opener fail loudly instead.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';

/** Whether a process with this pid exists (EPERM: it does, under another user). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readOwner(path: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(path, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Takes the lock file at `path` (kept beside the data directory `dir`, not inside it,
 * so Postgres never sees a foreign file in PGDATA) or throws. Returns an idempotent release.
 */
export function lockPgliteDir(dir: string, path: string): () => void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, `${process.pid}\n`, { flag: 'wx' });
      let released = false;
      return () => {
        if (released) return;
        released = true;
        rmSync(path, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = readOwner(path);
      if (owner !== undefined && isAlive(owner)) {
        const who = owner === process.pid ? 'this process' : `process ${owner}`;
        throw new Error(
          `embedded database at ${dir} is already open by ${who}; ` + 'PGlite allows one opener at a time (set DATABASE_URL to share a real PostgreSQL)',
        );
      }
      // Left behind by a crashed process (or half-written): take it over.
      rmSync(path, { force: true });
    }
  }
  throw new Error(`could not lock embedded database directory ${dir}`);
}
