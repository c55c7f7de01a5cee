// Small process helpers shared by the provisioners. Kept dependency-free (no execa, no which)
// because provisioning runs before anything else in CI and must not depend on extra packages.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export type Log = (msg: string) => void;
export const noLog: Log = () => {};

/** True when `p` is a regular file this process may execute. */
export function isExecutableFile(p: string): boolean {
  try {
    if (!fs.statSync(p).isFile()) return false;
    fs.accessSync(p, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Like `command -v name`: the first executable `name` on PATH, or null. */
export function findOnPath(name: string, envPath = process.env.PATH ?? ''): string | null {
  for (const dir of envPath.split(path.delimiter)) {
    if (dir === '') continue; // an empty entry means cwd; never pick tools up from there
    const candidate = path.join(dir, name);
    if (isExecutableFile(candidate)) return candidate;
  }
  return null;
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** stdout and stderr interleaved, truncated to the last ~64 KiB for error messages. */
  output: string;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  timeoutMs?: number;
  /** Called for every non-empty output line as it arrives (progress streaming). */
  onLine?: (line: string) => void;
}

const MAX_OUTPUT = 64 * 1024;

/** Runs a command to completion without a shell; never rejects for a non-zero exit. */
export function run(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: opts.env ?? process.env, cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let partial = '';
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      output = (output + text).slice(-MAX_OUTPUT);
      if (opts.onLine === undefined) return;
      const lines = (partial + text).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) if (line.trim() !== '') opts.onLine(line.trimEnd());
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const timer = opts.timeoutMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (opts.onLine !== undefined && partial.trim() !== '') opts.onLine(partial.trimEnd());
      resolve({ code, signal, output });
    });
  });
}

/** Last `n` non-empty lines of some output, for error messages that stay readable. */
export function tail(output: string, n = 20): string {
  return output
    .split('\n')
    .filter((l) => l.trim() !== '')
    .slice(-n)
    .join('\n');
}

export { freePort, portOpen } from '../net.js';

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
