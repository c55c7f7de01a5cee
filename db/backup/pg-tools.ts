// pg_dump, pg_restore and psql, found the way the test harness finds the server binaries
// (pg_config's bindir, then the newest /usr/lib/postgresql/<version>/bin), then on PATH. The
// password never goes on a command line (other users can read it in ps): the URL is passed
// without it and PGPASSWORD carries it in the child's environment only.
import { execFileSync, spawn, type SpawnOptions } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { Readable, Writable } from 'node:stream';

export type PgTool = 'pg_dump' | 'pg_restore' | 'psql';

function candidateDirs(): string[] {
  const dirs: string[] = [];
  try {
    dirs.push(execFileSync('pg_config', ['--bindir'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
  } catch {
    /* no pg_config on PATH */
  }
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root).filter((v) => /^\d+(\.\d+)?$/.test(v));
    // Newest first: pg_dump refuses servers newer than itself, never older ones.
    for (const v of versions.sort((a, b) => Number(b) - Number(a))) dirs.push(join(root, v, 'bin'));
  }
  dirs.push(...(process.env.PATH ?? '').split(delimiter).filter(Boolean));
  return dirs;
}

/** The path of a PostgreSQL client tool, or an error naming the tool and where it was looked for. */
export function findPgTool(tool: PgTool): string {
  for (const dir of candidateDirs()) {
    const path = join(dir, tool);
    if (existsSync(path)) return path;
  }
  throw new Error(
    `${tool} not found (looked in pg_config --bindir, /usr/lib/postgresql/*/bin and PATH): ` +
      'install the PostgreSQL client tools (e.g. `apt-get install postgresql-client-15`)',
  );
}

/** The URL without its password, and the environment that supplies it. */
export function connectionArgs(url: string): { dbname: string; env: NodeJS.ProcessEnv } {
  const parsed = new URL(url);
  const password = decodeURIComponent(parsed.password);
  parsed.password = '';
  const env: NodeJS.ProcessEnv = { ...process.env };
  if (password !== '') env.PGPASSWORD = password;
  return { dbname: parsed.toString(), env };
}

export interface RunOptions {
  env: NodeJS.ProcessEnv;
  stdin?: Readable;
  /** Where stdout goes; collected as text when unset. */
  stdout?: Writable;
}

/** Runs a tool to completion; rejects with its exit code and the tail of its stderr. */
export function runPgTool(path: string, args: string[], opts: RunOptions): Promise<string> {
  const spawnOpts: SpawnOptions = { env: opts.env, stdio: ['pipe', 'pipe', 'pipe'] };
  return new Promise((resolve, reject) => {
    const child = spawn(path, args, spawnOpts);
    let out = '';
    let err = '';
    child.stderr?.on('data', (d: Buffer) => {
      err = (err + d.toString()).slice(-4000);
    });
    if (opts.stdout !== undefined) child.stdout?.pipe(opts.stdout, { end: false });
    else child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    // A tool that exits early (bad archive) closes its stdin: that EPIPE is reported by the exit code.
    child.stdin?.on('error', () => undefined);
    if (opts.stdin !== undefined && child.stdin) opts.stdin.pipe(child.stdin);
    else child.stdin?.end();
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(out);
      else reject(new Error(`${path.split('/').pop()} exited with ${code}: ${err.trim().split('\n').slice(-3).join(' | ')}`));
    });
  });
}
