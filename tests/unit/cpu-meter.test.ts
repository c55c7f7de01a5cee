// The benchmarks' CPU split (bench/lib/cpu-meter.ts): work on the main thread is counted there,
// work on another thread of the process is counted apart from it, and a process that is not ours
// is not counted as ours. Read from /proc, so these run where the benchmarks run (Linux).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { cpuNow, cpuSince } from '../../bench/lib/cpu-meter.js';

// Busy until the process has used `ms` of CPU, not for `ms` of wall time: on a loaded machine (the
// test run's other files, their servers) a wall-time spin got 100 ms of a core and failed.
// The worker thread runs this same function, from its source.
function spin(ms: number): void {
  const start = process.cpuUsage();
  for (;;) {
    for (let i = 0; i < 10_000; i++) Math.sqrt(Math.random());
    const used = process.cpuUsage(start);
    if (used.user + used.system >= ms * 1000) return;
  }
}

describe('bench CPU meter', () => {
  test('a busy main thread is counted as the main thread', () => {
    const before = cpuNow();
    assert.ok(before !== null, '/proc is readable here');
    spin(300);
    const used = cpuSince(before);
    assert.ok(used !== null);
    assert.ok(used.benchMain >= 0.2, `main thread ${used.benchMain} s after 300 ms of CPU`);
    assert.ok(used.benchThreads < 0.2, `other threads ${used.benchThreads} s while only the main thread worked`);
  });

  test("a busy worker thread is counted as the process's other threads", async () => {
    const before = cpuNow();
    const w = new Worker(`(${spin.toString()})(300)`, { eval: true });
    await new Promise((resolve, reject) => w.once('exit', resolve).once('error', reject));
    const used = cpuSince(before);
    assert.ok(used !== null);
    assert.ok(used.benchThreads >= 0.2, `other threads ${used.benchThreads} s after a worker's 300 ms of CPU`);
  });

  test('another process is not counted as this one', async () => {
    const before = cpuNow();
    const child = spawn(process.execPath, ['-e', 'const end = Date.now() + 300; while (Date.now() < end) Math.sqrt(Math.random());']);
    await new Promise((resolve) => child.once('exit', resolve));
    const used = cpuSince(before);
    assert.ok(used !== null);
    assert.ok(used.benchMain + used.benchThreads < 0.2, `this process ${used.benchMain + used.benchThreads} s while a child worked`);
  });
});
