// The whole test suite in one command (`npm test`, and CI's .ci/run): installs npm packages,
// provisions the Temporal CLI dev server and the Java time-skipping test server, type-checks,
// lints, bundles the workflows once, then runs every test layer with node's test runner.
// Usage: node scripts/run-tests.mjs [layer...]   layers: unit activity workflow replay integration chaos e2e
// Long modes by hand: LEADFLOW_CHAOS=long (the fault suite), FUZZ_RUNS=<multiplier> (the fuzzers).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ensureDeps, ROOT } from './deps.mjs';

const LAYERS = ['unit', 'activity', 'workflow', 'replay', 'integration', 'chaos', 'e2e'];
const wanted = process.argv.slice(2);
for (const l of wanted)
  if (!LAYERS.includes(l)) {
    console.error(`unknown test layer "${l}"; one of ${LAYERS.join(', ')}`);
    process.exit(2);
  }
const layers = wanted.length > 0 ? wanted : LAYERS;
const started = Date.now();

function step(name, cmd, args, env = {}) {
  const t = Date.now();
  console.error(`[test] ${name}...`);
  const res = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit', env: { ...process.env, ...env } });
  if (res.status !== 0) {
    console.error(`[test] ${name} failed (exit ${res.status ?? res.signal})`);
    process.exit(res.status ?? 1);
  }
  console.error(`[test] ${name} ok in ${((Date.now() - t) / 1000).toFixed(1)} s`);
}

ensureDeps();
const bin = (name) => path.join(ROOT, 'node_modules', '.bin', name);
// --background: the production tools (helm, Temporal's own server) build beside the first test layers.
step('provision Temporal servers', process.execPath, [path.join(ROOT, 'scripts', 'provision.mjs'), '--background']);
if (wanted.length === 0) {
  step('typecheck', bin('tsc'), ['--noEmit', '-p', ROOT]);
  step('lint', bin('eslint'), ['--max-warnings=0', '.']);
  step('format check', bin('prettier'), ['--check', '--log-level=warn', '.']);
}
const bundlePath = path.join(ROOT, '.cache', 'workflow-bundle.js');
step('bundle workflows', process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts', 'bundle-workflows.ts'), bundlePath]);

function testFiles(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => {
      const p = path.join(dir, e.name);
      return e.isDirectory() ? testFiles(p) : e.name.endsWith('.test.ts') ? [p] : [];
    })
    .sort();
}
const files = layers.flatMap((l) => testFiles(path.join(ROOT, 'tests', l)));
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}

// Two passes. Most files start their own PostgreSQL and Temporal, then wait on them: two at a time
// keeps both cores busy (LEADFLOW_TEST_CONCURRENCY). The chaos and e2e layers, and the integration
// files that load the machine or kill processes on purpose, run alone afterwards: their timings
// and their faults must not be shared with a neighbour.
const SERIAL_LAYERS = new Set(['chaos', 'e2e']);
const SERIAL_FILES = new Set(
  [
    'campaign-scale', // 250 prospects through one worker
    'emergency-stop-leads', // 150 leads sending when the stop lands
    'imap-watch-burst', // a burst of APPENDs against the watcher
  ].map((n) => path.join(ROOT, 'tests', 'integration', `${n}.test.ts`)),
);
const layerOf = (f) => path.relative(path.join(ROOT, 'tests'), f).split(path.sep)[0];
const isSerial = (f) => SERIAL_LAYERS.has(layerOf(f)) || SERIAL_FILES.has(f);
const concurrency = process.env.LEADFLOW_TEST_CONCURRENCY ?? '2';
const passes = [
  { name: `${concurrency} at a time`, concurrency, files: files.filter((f) => !isSerial(f)) },
  { name: 'one at a time', concurrency: '1', files: files.filter(isSerial) },
].filter((p) => p.files.length > 0);

const counts = { pass: 0, fail: 0 };
/** Runs one pass with node's test runner, echoing its output and adding its summary counts. */
async function runPass(pass) {
  // quiet-runtime: the Temporal SDK's own logs at LOG_LEVEL too (see the file).
  const testArgs = [
    '--import',
    'tsx',
    '--import',
    './tests/helpers/quiet-runtime.mjs',
    '--test',
    `--test-concurrency=${pass.concurrency}`,
    '--test-timeout=600000',
    '--test-reporter=spec',
    ...pass.files.map((f) => path.relative(ROOT, f)),
  ];
  console.error(`[test] tests, ${pass.name} (${pass.files.length} files)...`);
  const t = Date.now();
  const child = spawn(process.execPath, testArgs, {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, LEADFLOW_WORKFLOW_BUNDLE: bundlePath, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' },
  });
  let pending = '';
  child.stdout.on('data', (chunk) => {
    process.stdout.write(chunk);
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      const m = /^\S+ (pass|fail) (\d+)$/.exec(line.trim());
      if (m) counts[m[1]] += Number(m[2]);
    }
  });
  const code = await new Promise((resolve) => child.on('exit', (c, sig) => resolve(c ?? (sig ? 1 : 0))));
  console.error(`[test] tests, ${pass.name}: ${code === 0 ? 'ok' : `failed (exit ${code})`} in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  return code;
}

console.error(`[test] tests (${files.length} files: ${layers.join(', ')})...`);
const t0 = Date.now();
let code = 0;
// Both passes always run: a failure in the first still shows what the second finds.
for (const pass of passes) code = (await runPass(pass)) || code;
console.error(
  `[test] tests ${code === 0 ? 'ok' : `failed (exit ${code})`} in ${((Date.now() - t0) / 1000).toFixed(1)} s; all done in ${((Date.now() - started) / 1000).toFixed(0)} s`,
);
console.log(`${counts.pass} passed, ${counts.fail} failed`);
process.exit(code);
