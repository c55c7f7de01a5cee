// A test or bench killed by a signal takes its dev server with it (tests/helpers/child-reaper.ts):
// before, the SDK-spawned Temporal CLI outlived a `pkill`ed bench and kept a core busy.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { eventually } from '../helpers/eventually.js';
import { procStat } from '../helpers/proc-stat.js';

const HOLDER = fileURLToPath(new URL('../helpers/hold-dev-server.ts', import.meta.url));

/** Running: listed and not a zombie (an orphan that ended waits for a reaper that may never come in a container). */
function alive(pid: number): boolean {
  const stat = procStat(pid);
  return stat !== null && stat.state !== 'Z';
}

/** Starts the holder and returns it with the pid of the dev server it started. */
async function holder(): Promise<{ child: ChildProcess; server: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', HOLDER], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
  await eventually('the holder to report its dev server', async () => out.endsWith('\n'), 60_000);
  const { servers } = JSON.parse(out) as { servers: number[] };
  assert.equal(servers.length, 1, `one dev server child, found ${servers.length}`);
  const server = servers[0] ?? 0;
  assert.ok(alive(server), 'the dev server runs while its parent does');
  return { child, server };
}

async function diesOf(child: ChildProcess, signal: NodeJS.Signals, send: () => void): Promise<void> {
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  send();
  const [code, died] = await exited;
  assert.deepEqual({ code, died }, { code: null, died: signal }, 'the holder dies of the signal it was sent');
}

// The SDK's runtime listens for SIGINT and SIGTERM too (a graceful worker shutdown), so one signal
// ends the process after the reaper's grace period, and a second one at once.
test('a process ended by one SIGTERM stops the dev server it started', async () => {
  const { child, server } = await holder();
  await diesOf(child, 'SIGTERM', () => child.kill('SIGTERM'));
  await eventually(`dev server ${server} to end after its parent died`, async () => !alive(server), 15_000);
});

test('a process ended by Ctrl-C twice stops the dev server it started', async () => {
  const { child, server } = await holder();
  const started = Date.now();
  await diesOf(child, 'SIGINT', () => {
    child.kill('SIGINT');
    setTimeout(() => child.kill('SIGINT'), 300);
  });
  assert.ok(Date.now() - started < 5_000, 'a second signal ends the process without waiting out the grace period');
  await eventually(`dev server ${server} to end after its parent died`, async () => !alive(server), 15_000);
});
