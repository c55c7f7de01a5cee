// Embedded PGlite is a single-process database: two processes opening the same directory would
// corrupt it. The process that opens it holds this lock (with the API URL it serves, so other
// commands such as `doctor` can ask that process instead of opening the files).
import fs from 'node:fs';
import path from 'node:path';

export interface LockInfo { pid: number; apiUrl: string | null; startedAt: string }

// Not the database lock itself (db/ owns that): a note of who holds it and where it answers.
const lockPath = (dataDir: string) => path.join(dataDir, 'embedded-db-owner.json');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The live holder of the lock, or null (a stale lock from a crashed process is ignored). */
export function lockHolder(dataDir: string): LockInfo | null {
  try {
    const info = JSON.parse(fs.readFileSync(lockPath(dataDir), 'utf8')) as LockInfo;
    return info.pid !== process.pid && alive(info.pid) ? info : null;
  } catch {
    return null;
  }
}

export function acquireEmbeddedLock(dataDir: string, apiUrl: string | null): () => void {
  const holder = lockHolder(dataDir);
  if (holder !== null) {
    throw new Error(`the embedded database in ${dataDir} is in use by process ${holder.pid} (leadflow up?). ` +
      'Stop it, or set DATABASE_URL to a PostgreSQL server so several processes can share the database.');
  }
  fs.mkdirSync(dataDir, { recursive: true });
  const file = lockPath(dataDir);
  fs.writeFileSync(file, JSON.stringify({ pid: process.pid, apiUrl, startedAt: new Date().toISOString() } satisfies LockInfo));
  return () => {
    try {
      const info = JSON.parse(fs.readFileSync(file, 'utf8')) as LockInfo;
      if (info.pid === process.pid) fs.rmSync(file);
    } catch { /* already gone */ }
  };
}
