// The dev server the SDK starts for a test environment (the Temporal CLI) is a child of this
// process, spawned by the SDK's Rust core, with no handle to it here. A test or bench stopped by a
// signal (Ctrl-C, `pkill`, the test runner's timeout) died without its teardown, and the server
// kept running as an orphan: a whole dev server's CPU skewing the next run on the machine.
// Here every child running a registered executable gets a SIGTERM (the dev server flushes SQLite
// on it) when this process exits, or when a signal ends it: at once if nothing else listens for
// the signal, else after GRACE_MS, the time the SDK's own listener has to shut its workers down
// gracefully (a second signal ends it at once). Linux only (it reads /proc); elsewhere a no-op.
import { readdirSync, readlinkSync, realpathSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { procStat } from './proc-stat.js';

const executables = new Set<string>();
let installed = false;

/** Children of process `ppid`, with the executable each runs. */
export function childrenOf(ppid: number): Array<{ pid: number; exe: string }> {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const out: Array<{ pid: number; exe: string }> = [];
  for (const name of entries) {
    if (!/^\d+$/.test(name)) continue;
    if (procStat(name)?.ppid !== ppid) continue;
    try {
      out.push({ pid: Number(name), exe: readlinkSync(`/proc/${name}/exe`) });
    } catch {
      /* the process ended while we looked */
    }
  }
  return out;
}

function reap(): void {
  for (const child of childrenOf(process.pid)) {
    if (!executables.has(child.exe)) continue;
    try {
      process.kill(child.pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
  }
}

const GRACE_MS = 10_000;
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** Stops the servers, then dies of `signal`, as its sender meant (or exits as if, if someone swallows it). */
function die(signal: (typeof SIGNALS)[number]): void {
  reap();
  for (const s of SIGNALS) process.removeListener(s, onSignal);
  process.kill(process.pid, signal);
  setTimeout(() => process.exit(128 + (osConstants.signals[signal] ?? 0)), 1_000).unref();
}

function onSignal(signal: (typeof SIGNALS)[number]): void {
  // Another listener (the SDK's worker shutdown, postgres.ts's cleanup) handles it: leave it the
  // grace period; a process that then exits reaps on 'exit', one that does not is ended here.
  if (process.listenerCount(signal) > 1) setTimeout(() => die(signal), GRACE_MS).unref();
  else die(signal);
}

/** Stops any child running `executablePath` when this process ends, however it ends short of SIGKILL. */
export function reapOnExit(executablePath: string): void {
  try {
    executables.add(realpathSync(executablePath));
  } catch {
    return;
  }
  if (installed) return;
  installed = true;
  process.on('exit', reap);
  for (const signal of SIGNALS) process.on(signal, onSignal);
}
