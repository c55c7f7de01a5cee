// A real PostgreSQL for integration tests. With TEST_DATABASE_URL it borrows a server
// (CI service container, local instance) and works in a fresh database of its own;
// otherwise it runs a private throwaway cluster from the installed server binaries,
// never touching a system cluster (own data dir, own port, own socket directory).
import { freePort } from '../../temporal/net.js';
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statfsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

export interface PostgresServer {
  /** Connection URL of a database the caller may use freely. */
  url: string;
  /** Idempotent; also runs automatically when the process exits. */
  stop(): Promise<void>;
}

// ---- cleanup on exit: a crashed test must not leave a postgres running -----------

const exitCleanups = new Set<() => void>();
let exitHooksInstalled = false;

function runExitCleanups(): void {
  for (const cleanup of exitCleanups) {
    try {
      cleanup();
    } catch {
      /* best effort while exiting */
    }
  }
  exitCleanups.clear();
}

function installExitHooks(): void {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  // 'exit' covers normal ends and uncaught exceptions. Signals skip it by default, so
  // clean up and then re-raise the signal to die the way the sender intended.
  process.on('exit', runExitCleanups);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      runExitCleanups();
      process.kill(process.pid, signal);
    });
  }
}

// ---- where throwaway data goes ---------------------------------------------------------

/**
 * A tmpfs (/dev/shm) when it has room, else the OS temp dir. Throwaway clusters and
 * database copies are tens of MB each; on a slow or busy disk writing and deleting them
 * costs seconds per suite, in RAM milliseconds. Nothing here needs to survive a reboot.
 */
export function scratchDir(): string {
  const shm = '/dev/shm';
  try {
    const fs = statfsSync(shm);
    if (fs.bavail * fs.bsize >= 512 * 1024 * 1024 && (statSync(shm).mode & 0o1777) === 0o1777) return shm;
  } catch {
    /* no /dev/shm (macOS) */
  }
  return tmpdir();
}

// ---- locating binaries ---------------------------------------------------------------

function hasServerBinaries(dir: string): boolean {
  return existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'));
}

/** Directory holding initdb and pg_ctl, or throws saying how to get them. */
export function findPostgresBinDir(): string {
  try {
    // On Debian this is postgresql-common's wrapper (newest installed version); with
    // only libpq-dev it names /usr/bin, which has no initdb, hence the check.
    const dir = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    if (hasServerBinaries(dir)) return dir;
  } catch {
    /* no pg_config on PATH */
  }
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => /^\d+(\.\d+)?$/.test(v))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  for (const version of versions) {
    const dir = join(root, version, 'bin');
    if (hasServerBinaries(dir)) return dir;
  }
  throw new Error(
    'no PostgreSQL server binaries (initdb, pg_ctl) found via pg_config or /usr/lib/postgresql/*/bin: ' +
      'install PostgreSQL server binaries (e.g. `apt-get install postgresql`) or set TEST_DATABASE_URL',
  );
}

// ---- running as an unprivileged user when root ------------------------------------

interface RunAs {
  name: string;
  uid: number;
  gid: number;
}

// initdb and postgres refuse to run as root. Rather than depend on runuser/sudo/setpriv,
// child_process drops to the user itself (uid/gid options; libuv also clears
// supplementary groups). TEST_PG_USER overrides the choice.
function unprivilegedUser(): RunAs | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const candidates = process.env.TEST_PG_USER ? [process.env.TEST_PG_USER] : ['postgres', 'nobody'];
  for (const name of candidates) {
    try {
      const id = (flag: string) => Number(execFileSync('id', [flag, name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
      return { name, uid: id('-u'), gid: id('-g') };
    } catch {
      /* no such user */
    }
  }
  throw new Error(`running as root and none of the users ${candidates.join(', ')} exists to run postgres as`);
}

// The unprivileged user must be able to reach its directory through every ancestor.
function assertTraversable(dir: string, user: RunAs): void {
  for (let d = dirname(dir); ; d = dirname(d)) {
    if ((statSync(d).mode & 0o001) === 0) {
      throw new Error(`${user.name} cannot enter ${d} (on the way to ${dir}); point TMPDIR somewhere world-searchable such as /tmp`);
    }
    if (d === dirname(d)) return;
  }
}

// ---- the throwaway cluster ------------------------------------------------------------

/** A private cluster that can also be taken down and brought back (chaos tests). */
export interface RestartablePostgres extends PostgresServer {
  /** Stops the server abruptly (`pg_ctl stop -m immediate`: clients see their connections die). */
  halt(): Promise<void>;
  /** Starts it again on the same port with the same data. */
  resume(): Promise<void>;
}

function tail(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

async function startCluster(durable = false): Promise<RestartablePostgres> {
  const binDir = findPostgresBinDir();
  const user = unprivilegedUser();
  const base = mkdtempSync(join(scratchDir(), 'leadflow-pg-'));
  const dataDir = join(base, 'data');
  const logFile = join(base, 'postgres.log');
  const pgCtl = join(binDir, 'pg_ctl');
  // PG* variables from the developer's shell (PGPORT, PGDATA, ...) must not leak in.
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: base, LANG: 'C', LC_ALL: 'C', TZ: 'UTC' };
  const as = user ? { uid: user.uid, gid: user.gid } : {};

  // postmaster.pid, not a flag of ours, says whether a server may be running: that also
  // covers a pg_ctl start that timed out on our side but brought the server up anyway.
  const stopArgs = ['stop', '-D', dataDir, '-m', 'immediate', '-w'];
  const mayBeRunning = () => existsSync(join(dataDir, 'postmaster.pid'));
  const stopSync = () => {
    if (mayBeRunning()) {
      try {
        execFileSync(pgCtl, stopArgs, { env, ...as, stdio: 'ignore' });
      } catch {
        /* already gone */
      }
    }
    rmSync(base, { recursive: true, force: true });
  };
  installExitHooks();
  exitCleanups.add(stopSync);

  try {
    if (user) {
      assertTraversable(base, user);
      chownSync(base, user.uid, user.gid);
    }
    await run(join(binDir, 'initdb'), ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync'], { env, ...as });

    // Another process may grab the port between freePort() and the bind: retry.
    let port = 0;
    let options = '';
    for (let attempt = 1; ; attempt++) {
      port = await freePort();
      options = [
        `-p ${port}`,
        `-k '${base}'`,
        '-c listen_addresses=127.0.0.1',
        '-c fsync=off',
        `-c synchronous_commit=${durable ? 'on' : 'off'}`,
        '-c full_page_writes=off',
      ].join(' ');
      try {
        await run(pgCtl, ['start', '-D', dataDir, '-l', logFile, '-w', '-t', '60', '-o', options], { env, ...as });
        break;
      } catch (error) {
        const log = tail(logFile);
        if (attempt < 3 && /already in use|could not bind/i.test(log)) continue;
        throw new Error(`pg_ctl start failed: ${(error as Error).message}\n${log}`, { cause: error });
      }
    }
    let stopping: Promise<void> | undefined;
    const stop = () =>
      (stopping ??= (async () => {
        exitCleanups.delete(stopSync);
        if (mayBeRunning()) await run(pgCtl, stopArgs, { env, ...as }).catch(() => undefined);
        rmSync(base, { recursive: true, force: true });
      })());
    const halt = async () => {
      if (mayBeRunning()) await run(pgCtl, stopArgs, { env, ...as });
    };
    const resume = async () => {
      try {
        await run(pgCtl, ['start', '-D', dataDir, '-l', logFile, '-w', '-t', '60', '-o', options], { env, ...as });
      } catch (error) {
        throw new Error(`pg_ctl start (resume) failed: ${(error as Error).message}\n${tail(logFile)}`, { cause: error });
      }
    };
    return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, stop, halt, resume };
  } catch (error) {
    exitCleanups.delete(stopSync);
    stopSync();
    throw error;
  }
}

/**
 * Always a private throwaway cluster (even with TEST_DATABASE_URL set), for tests that stop and
 * restart the server itself. `durable`: synchronous commits, so a commit the server acknowledged
 * survives an abrupt stop (`halt()` is `-m immediate`, a crash); the default cluster commits
 * asynchronously for speed and may lose its last few hundred milliseconds of commits then. fsync
 * stays off either way: the operating system, which keeps what was written, does not crash here.
 */
export function startPostgresCluster(opts: { durable?: boolean } = {}): Promise<RestartablePostgres> {
  return startCluster(opts.durable === true);
}

// ---- databases inside an existing server --------------------------------------------

export interface TempDatabase {
  url: string;
  /** Idempotent. Disconnects remaining sessions first. */
  drop(): Promise<void>;
}

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Creates an empty, uniquely named database on the server `adminUrl` points at. */
export async function createTempDatabase(adminUrl: string, prefix = 'leadflow_test'): Promise<TempDatabase> {
  const name = `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  await withClient(adminUrl, (c) => c.query(`create database "${name}"`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  let dropped: Promise<void> | undefined;
  return {
    url: url.toString(),
    drop: () =>
      (dropped ??= withClient(adminUrl, async (c) => {
        // WITH (FORCE) needs PostgreSQL 13+; it ends sessions a leaked pool still holds.
        await c.query(`drop database if exists "${name}" with (force)`);
      })),
  };
}

/**
 * A PostgreSQL to test against: a fresh database in TEST_DATABASE_URL's server when that
 * is set, else a private throwaway cluster. Both are removed by stop().
 */
export async function startPostgres(): Promise<PostgresServer> {
  const shared = process.env.TEST_DATABASE_URL;
  if (!shared) return startCluster();
  const database = await createTempDatabase(shared);
  // No synchronous drop exists for the exit hook here; a crash leaves a leadflow_test_*
  // database behind on the shared server, which is harmless and easy to spot.
  return { url: database.url, stop: () => database.drop() };
}
