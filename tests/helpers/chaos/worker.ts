// The real `leadflow worker` process under chaos: started, SIGKILLed and started again; every
// exit the test did not cause is recorded as a crash (and the worker is brought back so the run
// can finish and report); its output is scanned for unhandled rejections and uncaught errors.
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { spawnCli, waitForOutput } from '../cli.js';

export interface WorkerCrash {
  at: string;
  code: number | null;
  signal: string | null;
  tail: string;
  /** The error it died of: the first error-looking line of its last output and a few after it. */
  reason: string;
}

/** Pulls the fatal error out of a dying process's last lines (ANSI colours removed). */
function crashReason(lines: string[]): string {
  // eslint-disable-next-line no-control-regex
  const plain = lines.map((l) => l.replace(/\x1b\[[0-9;]*m/g, ''));
  const at = plain.findIndex((l) => /^(node:|\S*Error\b|.*Unhandled|.*uncaught|.*fatal)/i.test(l.trim()) && !l.startsWith('{'));
  return (at === -1 ? plain.slice(-5) : plain.slice(at, at + 8)).join('\n');
}

/** Lines a Node process prints for an unhandled rejection or an uncaught exception. */
const UNHANDLED = /unhandled|uncaught/i;

export class WorkerProcess {
  private child: ChildProcess | null = null;
  private expectingExit = false;
  private tailLines: string[] = [];
  private starting: Promise<void> | null = null;
  starts = 0;
  kills = 0;
  /** Exits of a running worker (after "workers started") that nobody asked for. */
  readonly crashes: WorkerCrash[] = [];
  /** Starts that exited before "workers started" (e.g. the database still down): what a supervisor retries. */
  failedStarts = 0;
  /** Output lines that mention an unhandled rejection or uncaught exception, from every run. */
  readonly unhandled: string[] = [];
  /** Every output line containing one of these substrings is kept (for a test to inspect). */
  readonly kept: string[] = [];

  constructor(
    private readonly env: Record<string, string>,
    private readonly keep: string[] = [],
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }
  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Starts a worker and resolves once it polls ("workers started"). */
  start(timeoutMs = 120_000): Promise<void> {
    this.starting ??= this.spawn(timeoutMs).finally(() => {
      this.starting = null;
    });
    return this.starting;
  }

  private async spawn(timeoutMs: number): Promise<void> {
    const child = spawnCli(['worker'], this.env);
    this.child = child;
    this.starts += 1;
    this.expectingExit = false;
    this.tailLines = []; // a crash report names this process's last words, not its predecessor's
    let partial = '';
    const onData = (d: Buffer) => {
      const lines = (partial + d.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        this.tailLines.push(line);
        if (this.tailLines.length > 60) this.tailLines.shift();
        if (UNHANDLED.test(line)) this.unhandled.push(line.slice(0, 2000));
        if (this.keep.some((k) => line.includes(k))) this.kept.push(line);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    let ready = false;
    child.once('exit', (code, signal) => {
      if (this.child === child) this.child = null;
      if (this.expectingExit) return;
      if (!ready) this.failedStarts += 1;
      else
        this.crashes.push({
          at: new Date().toISOString(),
          code,
          signal,
          tail: this.tailLines.slice(-30).join('\n'),
          reason: crashReason(this.tailLines.slice(-40)),
        });
      // Bring it back (as a supervisor would) so the run can finish; a crash itself fails the test.
      setTimeout(() => {
        if (this.child === null) void this.start().catch(() => undefined);
      }, 1_000).unref();
    });
    try {
      await waitForOutput(child, 'workers started', timeoutMs);
      ready = true;
    } catch (err) {
      this.expectingExit = true;
      child.kill('SIGKILL');
      throw err;
    }
  }

  /** SIGKILL: no shutdown, in-flight activities and workflow tasks are simply gone. */
  async kill(): Promise<void> {
    await this.starting?.catch(() => undefined);
    const child = this.child;
    if (child === null) return;
    this.expectingExit = true;
    this.kills += 1;
    await new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) {
        resolve();
        return;
      }
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }

  /** SIGTERM (graceful: in-flight activities finish), SIGKILL after the grace period. */
  async stop(graceMs = 20_000): Promise<void> {
    await this.starting?.catch(() => undefined);
    const child = this.child;
    if (child === null) return;
    this.expectingExit = true;
    await new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) {
        resolve();
        return;
      }
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }

  /** Resident set size of the running worker in MB (Linux /proc), or null. */
  rssMb(): number | null {
    const pid = this.child?.pid;
    if (pid === undefined) return null;
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      return m === null ? null : Math.round(Number(m[1]) / 1024);
    } catch {
      return null;
    }
  }

  tail(lines = 30): string {
    return this.tailLines.slice(-lines).join('\n');
  }
}
