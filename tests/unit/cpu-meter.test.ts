// The benchmarks' CPU split (bench/lib/cpu-meter.ts): work on the main thread is counted there,
// work on another thread of the process is counted apart from it, and a process that is not ours
// is not counted as ours. Read from /proc, so these run where the benchmarks run (Linux).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { cpuNow, cpuSince } from '../../bench/lib/cpu-meter.js';

function spin(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end) Math.sqrt(Math.random());
}

describe('bench CPU meter', () => {
  test('a busy main thread is counted as the main thread', () => {
    const before = cpuNow();
    assert.ok(before !== null, '/proc is readable here');
    spin(300);
    const used = cpuSince(before);
    assert.ok(used !== null);
    assert.ok(used.benchMain >= 0.2, `main thread ${used.benchMain} s after 300 ms of work`);
    assert.ok(used.benchThreads < 0.2, `other threads ${used.benchThreads} s while only the main thread worked`);
  });

  test("a busy worker thread is counted as the process's other threads", async () => {
    const before = cpuNow();
    const w = new Worker('const end = Date.now() + 300; while (Date.now() < end) Math.sqrt(Math.random());', { eval: true });
    await new Promise((resolve, reject) => w.once('exit', resolve).once('error', reject));
    const used = cpuSince(before);
    assert.ok(used !== null);
    assert.ok(used.benchThreads >= 0.2, `other threads ${used.benchThreads} s after a worker's 300 ms`);
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
