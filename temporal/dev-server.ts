// Runs the Temporal CLI dev server (server + Web UI) for the local product. SQLite state lives
// in the data dir so leads survive a restart of `leadflow up`; the custom search attributes are
// registered at every start (the CLI treats an existing one as a no-op).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { portOpen } from './net.js';
import { SEARCH_ATTRIBUTES } from '../workflows/search-attributes.js';

export interface DevServerOptions {
  cliPath: string;
  dataDir: string;
  port: number;
  uiPort: number;
  namespace: string;
  headless?: boolean;
  /**
   * The codec server the Web UI decodes payloads through (`--ui-codec-endpoint`): the UI posts to
   * `{endpoint}/decode` from the browser. It may carry a credential in its path, and is then
   * visible in the process list like any argument.
   */
  codecEndpoint?: string;
  /** Extra `--dynamic-config-value KEY=JSON` pairs. */
  dynamicConfig?: Record<string, unknown>;
  onOutput?: (line: string) => void;
}

export interface DevServer {
  address: string;
  uiUrl: string | null;
  process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Dynamic config every dev server of ours starts with (the product's, the tests' and the
 * benchmarks'), so that it dispatches as the server in deploy/ does. The CLI's embedded server
 * is 1.29; these are the 1.32 defaults it lacks that change how tasks reach a worker:
 * - eager activity dispatch: the worker that completes a workflow task gets the activities it
 *   scheduled in the same answer, instead of one matching round trip each (a lead alone, submit
 *   → first message: p95 352 → 209 ms on the development machine);
 * - the new (priority-enabled) task matcher: under a burst it hands tasks to waiting pollers
 *   faster; the no-op twin of the throughput bench went from 32–34 to 48–53 workflows/s with
 *   it, the lead, bound by CPU, from 25–26 to 27–28/s.
 * The 1.32 defaults not copied are features still marked experimental in 1.29 (transition
 * history, CHASM) and worker heartbeats/listing, which this SDK does not use.
 */
export const DEV_SERVER_DYNAMIC_CONFIG: Readonly<Record<string, unknown>> = {
  'system.enableActivityEagerExecution': true,
  'matching.useNewMatcher': true,
};

/** `--dynamic-config-value KEY=JSON` pairs: ours first, then the caller's (which win). */
export function dynamicConfigArgs(extra: Record<string, unknown> = {}): string[] {
  return Object.entries({ ...DEV_SERVER_DYNAMIC_CONFIG, ...extra }).flatMap(([k, v]) => ['--dynamic-config-value', `${k}=${JSON.stringify(v)}`]);
}

export function devServerArgs(o: DevServerOptions): string[] {
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(o.port),
    '--namespace',
    o.namespace,
    '--db-filename',
    path.join(o.dataDir, 'temporal.sqlite'),
    '--log-level',
    'warn',
  ];
  if (o.headless) args.push('--headless');
  else {
    args.push('--ui-port', String(o.uiPort), '--ui-ip', '127.0.0.1');
    if (o.codecEndpoint !== undefined) args.push('--ui-codec-endpoint', o.codecEndpoint);
  }
  for (const key of SEARCH_ATTRIBUTES) args.push('--search-attribute', `${key.name}=Keyword`);
  args.push(...dynamicConfigArgs(o.dynamicConfig));
  return args;
}

export async function startDevServer(o: DevServerOptions): Promise<DevServer> {
  fs.mkdirSync(o.dataDir, { recursive: true });
  if (await portOpen(o.port)) {
    throw new Error(`port ${o.port} is already in use: another Temporal server is running there (stop it, or set TEMPORAL_EMBEDDED=false to use it)`);
  }
  const child = spawn(o.cliPath, devServerArgs(o), { stdio: ['ignore', 'pipe', 'pipe'] });
  // The last lines it printed: when it dies before listening, they say why.
  const tail: string[] = [];
  const forward = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) {
      if (line.trim() === '') continue;
      tail.push(line);
      if (tail.length > 20) tail.shift();
      o.onOutput?.(line);
    }
  };
  child.stdout?.on('data', forward);
  child.stderr?.on('data', forward);
  let exited: string | null = null;
  child.once('exit', (code, signal) => {
    exited = `exited with ${signal ?? code}`;
  });
  // Read through a function: TypeScript cannot see the 'exit' handler assign it.
  const exitReason = (): string | null => exited;

  // The first start creates the SQLite schema and can take several seconds on a small machine.
  const deadline = Date.now() + 60_000;
  while (!(await portOpen(o.port))) {
    const reason = exitReason();
    if (reason !== null) throw new Error(`Temporal dev server ${reason} before listening on port ${o.port}${tail.length > 0 ? `:\n${tail.join('\n')}` : ''}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`Temporal dev server did not listen on port ${o.port} within 60 s`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    address: `127.0.0.1:${o.port}`,
    uiUrl: o.headless ? null : `http://127.0.0.1:${o.uiPort}/`,
    process: child,
    stop: () => stopChild(child),
  };
}

/** SIGTERM, then SIGKILL after a grace period: the dev server flushes SQLite on TERM. */
export function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
