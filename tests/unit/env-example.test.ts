// .env.example must list every variable the code reads, so an operator can configure all of it.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../helpers/cli.js';

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : filesUnder(p);
    return /\.(ts|mjs)$/.test(e.name) ? [p] : [];
  });
}

test('.env.example documents every environment variable the code reads', () => {
  const example = fs.readFileSync(path.join(ROOT, '.env.example'), 'utf8');
  const documented = new Set([...example.matchAll(/^([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]));
  const read = new Set<string>();
  for (const dir of ['config', 'temporal', 'bin', 'workers', 'api', 'db', 'activities', 'tests/helpers', 'scripts']) {
    for (const file of filesUnder(path.join(ROOT, dir))) {
      const src = fs.readFileSync(file, 'utf8');
      for (const m of src.matchAll(
        /process\.env\.([A-Z][A-Z0-9_]+)|process\.env\[['"]([A-Z][A-Z0-9_]+)['"]\]|\b(?:str|int|bool|url|oneOf|hostPort)\(env, [`'"]([A-Z][A-Z0-9_]+)[`'"]/g,
      )) {
        read.add((m[1] ?? m[2] ?? m[3])!);
      }
    }
  }
  // Read from the shell for context, not configuration.
  for (const v of ['CI', 'USER', 'HOME', 'PATH', 'XDG_CACHE_HOME', 'TMPDIR', 'JAVA_HOME', 'LEADFLOW_WORKFLOW_BUNDLE']) read.delete(v);
  // Knobs of the CLI shim and of the test suite's long modes (README, Tests), not product configuration.
  for (const v of [...read]) if (v === 'LEADFLOW_CLI_TSX' || v.startsWith('FUZZ_') || v.startsWith('LEADFLOW_CHAOS')) read.delete(v);
  assert.ok(read.size > 15, `found ${read.size} variables: the scan itself works`);
  const missing = [...read].filter((v) => !documented.has(v)).sort();
  assert.deepEqual(missing, []);
});
