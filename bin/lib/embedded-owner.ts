// Which process serves the embedded database, and where. `leadflow up` (and a standalone
// worker or API on embedded PGlite) serves it over the PostgreSQL protocol on loopback and
// notes the URL here; other commands (ingest, doctor, quarantine, ...) connect to that URL
// instead of opening the files, which only one process may do (db/ enforces that with a lock).
import fs from 'node:fs';
import path from 'node:path';
import { isAlive } from '../../db/index.js';

export interface OwnerInfo {
  pid: number;
  dbUrl: string;
  apiUrl: string | null;
  startedAt: string;
}

// Not the database lock itself (db/ owns that): a note of who holds it and where it answers.
const ownerPath = (dataDir: string) => path.join(dataDir, 'embedded-db-owner.json');

/** The live owner of the embedded database, or null (a note left by a crashed process is ignored). */
export function embeddedOwner(dataDir: string): OwnerInfo | null {
  try {
    const info = JSON.parse(fs.readFileSync(ownerPath(dataDir), 'utf8')) as OwnerInfo;
    return info.pid !== process.pid && isAlive(info.pid) && typeof info.dbUrl === 'string' ? info : null;
  } catch {
    return null;
  }
}

export function recordEmbeddedOwner(dataDir: string, info: Omit<OwnerInfo, 'pid' | 'startedAt'>): () => void {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = ownerPath(dataDir);
  // 0600: the URL carries the embedded server's password.
  fs.writeFileSync(file, JSON.stringify({ pid: process.pid, startedAt: new Date().toISOString(), ...info } satisfies OwnerInfo), { mode: 0o600 });
  fs.chmodSync(file, 0o600);
  return () => {
    try {
      const current = JSON.parse(fs.readFileSync(file, 'utf8')) as OwnerInfo;
      if (current.pid === process.pid) fs.rmSync(file);
    } catch {
      /* already gone */
    }
  };
}
