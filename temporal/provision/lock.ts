// A cross-process lock built on mkdir, which is atomic on every local filesystem and needs no
// native module. Two CI jobs or a developer's terminal plus their editor's test runner must not
// run the same multi-minute `go install` or `mvn` resolution into the same cache at once.
//
// Staleness: the holder refreshes the lock directory's mtime (heartbeat) while it works, and
// writes its pid/host. A lock is stale when its heartbeat is older than `staleMs` (covers a
// holder on another host or pid namespace that died), or at once when the holder is on this
// host and its pid no longer exists (covers a crashed or SIGKILLed holder without waiting).
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { noLog, sleep, type Log } from './exec.js';

interface Owner {
  pid: number;
  host: string;
  token: string;
  since: string;
}

export interface LockOptions {
  /** Heartbeat age after which the lock is taken over; default 2 min. */
  staleMs?: number;
  /** Give up waiting after this long; default 45 min (a cold `go install` takes minutes). */
  timeoutMs?: number;
  log?: Log;
}

function readOwner(lockDir: string): Owner | null {
  try {
    return JSON.parse(fs.readFileSync(path.join(lockDir, 'owner.json'), 'utf8')) as Owner;
  } catch {
    return null;
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function isStale(lockDir: string, staleMs: number): { stale: boolean; owner: Owner | null } {
  let mtimeMs: number;
  try {
    mtimeMs = fs.statSync(lockDir).mtimeMs;
  } catch {
    return { stale: false, owner: null }; // vanished: just retry mkdir
  }
  const owner = readOwner(lockDir);
  if (Date.now() - mtimeMs > staleMs) return { stale: true, owner };
  if (owner !== null && owner.host === os.hostname() && !pidAlive(owner.pid)) return { stale: true, owner };
  return { stale: false, owner };
}

/** Moves a stale lock aside (rename is atomic, so only one waiter wins) and deletes it. */
function breakLock(lockDir: string, expectedToken: string | undefined): void {
  const aside = `${lockDir}.stale-${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
  try {
    fs.renameSync(lockDir, aside);
  } catch {
    return; // someone else broke it first
  }
  const moved = readOwner(aside);
  if (moved !== null && expectedToken !== undefined && moved.token !== expectedToken) {
    // Between our check and the rename another waiter re-acquired it: put their lock back.
    try {
      fs.renameSync(aside, lockDir);
      return;
    } catch {
      /* the path was taken again; theirs is lost, ours wins */
    }
  }
  fs.rmSync(aside, { recursive: true, force: true });
}

export async function withLock<T>(lockDir: string, fn: () => Promise<T>, opts: LockOptions = {}): Promise<T> {
  const staleMs = opts.staleMs ?? 120_000;
  const timeoutMs = opts.timeoutMs ?? 45 * 60_000;
  const log = opts.log ?? noLog;
  const token = crypto.randomBytes(8).toString('hex');
  const deadline = Date.now() + timeoutMs;
  fs.mkdirSync(path.dirname(lockDir), { recursive: true });

  let announced = false;
  for (;;) {
    try {
      fs.mkdirSync(lockDir);
      const owner: Owner = { pid: process.pid, host: os.hostname(), token, since: new Date().toISOString() };
      fs.writeFileSync(path.join(lockDir, 'owner.json'), JSON.stringify(owner));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const { stale, owner } = isStale(lockDir, staleMs);
    if (stale) {
      log(`removing stale lock ${lockDir}${owner ? ` (pid ${owner.pid} on ${owner.host})` : ''}`);
      breakLock(lockDir, owner?.token);
      continue;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${Math.round(timeoutMs / 1000)} s waiting for lock ${lockDir}` +
          (owner ? ` held by pid ${owner.pid} on ${owner.host} since ${owner.since}` : ''),
      );
    }
    if (!announced) {
      log(`waiting for another process to finish (lock ${lockDir}${owner ? `, pid ${owner.pid}` : ''})`);
      announced = true;
    }
    await sleep(500);
  }

  // Heartbeat so a long but healthy build is never mistaken for a stale one.
  const beat = setInterval(
    () => {
      const now = new Date();
      try {
        fs.utimesSync(lockDir, now, now);
      } catch {
        /* lock was broken; nothing sensible to do */
      }
    },
    Math.max(1000, Math.floor(staleMs / 4)),
  );
  beat.unref();
  try {
    return await fn();
  } finally {
    clearInterval(beat);
    // Only remove the lock if it is still ours.
    if (readOwner(lockDir)?.token === token) fs.rmSync(lockDir, { recursive: true, force: true });
  }
}
