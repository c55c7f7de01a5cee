// The worker's main-thread heap limit can only be set when node starts, so the image's entrypoint
// (a shell script) computes it from WORKER_MEMORY_MB. These tests run the real script with a
// stand-in `node` first on PATH that prints what it was started with, and hold the script to
// workers/cache-budget.ts's rule, so the two cannot drift apart.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { MAIN_HEAP_MIN_MB, mainHeapAdvice, mainHeapMbFor } from '../../workers/cache-budget.js';

const SCRIPT = fileURLToPath(new URL('../../deploy/entrypoint.sh', import.meta.url));
const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'leadflow-entrypoint-'));
fs.writeFileSync(path.join(bin, 'node'), '#!/bin/sh\nprintf "%s|%s" "${NODE_OPTIONS:-}" "$*"\n', { mode: 0o755 });
after(() => fs.rmSync(bin, { recursive: true, force: true }));

function entrypoint(args: string[], env: Record<string, string>): { nodeOptions: string; argv: string } {
  const out = execFileSync('/bin/sh', [SCRIPT, ...args], { env: { PATH: `${bin}:/usr/bin:/bin`, ...env }, encoding: 'utf8' });
  const [nodeOptions = '', argv = ''] = out.split('|');
  return { nodeOptions, argv };
}

test("the worker starts with the budget's main-heap share, the same rule as mainHeapMbFor", () => {
  for (const budget of [512, 700, 1000, 1024, 1025, 3000, 8192]) {
    const got = entrypoint(['worker'], { WORKER_MEMORY_MB: String(budget) });
    assert.equal(got.nodeOptions, `--max-old-space-size=${mainHeapMbFor(budget)}`, `budget ${budget}`);
    assert.equal(got.argv, 'bin/leadflow.mjs worker');
  }
  assert.equal(mainHeapMbFor(512), MAIN_HEAP_MIN_MB);
  assert.equal(mainHeapMbFor(1024), 384);
});

test('no budget means the default 1024; no role means the worker (the image CMD)', () => {
  assert.equal(entrypoint(['worker'], {}).nodeOptions, `--max-old-space-size=${mainHeapMbFor(1024)}`);
  assert.equal(entrypoint([], {}).nodeOptions, `--max-old-space-size=${mainHeapMbFor(1024)}`);
});

test("an operator's own NODE_OPTIONS are kept: other flags extended, an explicit limit left alone", () => {
  assert.equal(
    entrypoint(['worker'], { NODE_OPTIONS: '--enable-source-maps', WORKER_MEMORY_MB: '512' }).nodeOptions,
    '--enable-source-maps --max-old-space-size=192',
  );
  assert.equal(entrypoint(['worker'], { NODE_OPTIONS: '--max-old-space-size=300', WORKER_MEMORY_MB: '512' }).nodeOptions, '--max-old-space-size=300');
});

test('other roles and a budget that is not a number start unchanged (the config check names the latter)', () => {
  for (const role of ['api', 'migrate', 'doctor']) {
    const got = entrypoint([role, '--flag'], { WORKER_MEMORY_MB: '512' });
    assert.deepEqual(got, { nodeOptions: '', argv: `bin/leadflow.mjs ${role} --flag` });
  }
  assert.equal(entrypoint(['worker'], { WORKER_MEMORY_MB: 'lots' }).nodeOptions, '');
});

test('a worker whose main heap limit is above its share is told the flag; within it, nothing', () => {
  // heap_size_limit is old space plus the young generation: 240 MiB for --max-old-space-size=192.
  assert.equal(mainHeapAdvice(240, 512), null);
  assert.equal(mainHeapAdvice(432, 1024), null);
  const advice = mainHeapAdvice(4144, 512);
  assert.match(advice ?? '', /4144 MiB/);
  assert.match(advice ?? '', /--max-old-space-size=192/);
  assert.match(mainHeapAdvice(432, 512) ?? '', /WORKER_MEMORY_MB=512/);
});
