// The whole test suite in one command (`npm test`, and CI's .ci/run): installs npm packages,
// provisions the Temporal CLI dev server and the Java time-skipping test server, type-checks,
// lints, bundles the workflows once, then runs every test layer with node's test runner.
// Usage: node scripts/run-tests.mjs [layer...]   layers: unit activity workflow replay integration chaos e2e
// Long modes by hand: LEADFLOW_CHAOS=long (the fault suite), FUZZ_RUNS=<multiplier> (the fuzzers).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
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

// Two passes, each two files at a time (LEADFLOW_TEST_CONCURRENCY): most files start their own
// PostgreSQL and Temporal and then mostly wait on them, so two keep both cores busy. The second
// pass holds the heavy files: the fault suite, the end-to-end runs and the integration files that
// drive hundreds of leads. Kept apart, they share the machine only with each other, never with
// the unit files that bound a parse's time; longest first, so the two lanes end together.
const HEAVY_LAYERS = new Set(['chaos', 'e2e']);
// By the last clean run's durations (seconds, alone); files not named here come after.
const HEAVY_ORDER = [
  'chaos/worker-kills', // 164
  'chaos/server-restarts', // 93
  'chaos/campaign-kills', // 92
  'integration/emergency-stop-leads', // 55: 150 leads sending when the stop lands
  'e2e/temporal-cluster', // 49
  'integration/campaign-scale', // 47: 250 prospects through one worker
  'chaos/answer-lost-after-accept', // 44
  'chaos/inbox-grant-kills', // 44
  'e2e/up', // 19
  'e2e/privacy', // 13
].map((n) => path.join(ROOT, 'tests', `${n}.test.ts`));
// A renamed heavy file would silently join the light pass: refuse instead.
for (const f of HEAVY_ORDER) if (!fs.existsSync(f)) throw new Error(`run-tests: ${path.relative(ROOT, f)} is named as heavy but does not exist`);
const layerOf = (f) => path.relative(path.join(ROOT, 'tests'), f).split(path.sep)[0];
const isHeavy = (f) => HEAVY_LAYERS.has(layerOf(f)) || HEAVY_ORDER.includes(f);
const rank = (f) => (HEAVY_ORDER.includes(f) ? HEAVY_ORDER.indexOf(f) : HEAVY_ORDER.length);
const concurrency = process.env.LEADFLOW_TEST_CONCURRENCY ?? '2';
const passes = [
  { name: 'light', files: files.filter((f) => !isHeavy(f)) },
  { name: 'heavy', files: files.filter(isHeavy).sort((x, y) => rank(x) - rank(y)) },
].filter((p) => p.files.length > 0);

const counts = { pass: 0, fail: 0 };
// The spec reporter lists a pass's failures after its summary, which the heavy pass's output
// then buries: CI keeps only the log's tail. So each pass's list is kept and printed again, cut
// short, as the run's last lines.
const failures = [];
const FAILURE_LINES = 25; // per failing test: its name, location and the head of its error
/** Keeps "✖ failing tests:" sections, each test's entry cut to its first FAILURE_LINES lines. */
function failureCollector(passName) {
  let inList = false;
  let entry = null;
  return (raw) => {
    const line = stripVTControlCharacters(raw); // FORCE_COLOR may colour a pipe
    if (/^\u2716 failing tests:/.test(line)) inList = true;
    else if (!inList) return;
    else if (/^test at /.test(line)) {
      entry = { pass: passName, lines: [line] };
      failures.push(entry);
    } else if (!entry || line.trim() === '' || /^\s+at .*\(?node:/.test(line))
      return; // node's own frames
    else if (entry.lines.length < FAILURE_LINES) entry.lines.push(line);
    else if (entry.lines.length === FAILURE_LINES) entry.lines.push('  …');
  };
}
/** Runs one pass with node's test runner, echoing its output and adding its summary counts. */
async function runPass(pass) {
  // quiet-runtime: the Temporal SDK's own logs at LOG_LEVEL too (see the file).
  const testArgs = [
    '--import',
    'tsx',
    '--import',
    './tests/helpers/quiet-runtime.mjs',
    '--test',
    `--test-concurrency=${concurrency}`,
    '--test-timeout=600000',
    '--test-reporter=spec',
    ...pass.files.map((f) => path.relative(ROOT, f)),
  ];
  console.error(`[test] tests, ${pass.name} pass (${pass.files.length} files, ${concurrency} at a time)...`);
  const t = Date.now();
  const child = spawn(process.execPath, testArgs, {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, LEADFLOW_WORKFLOW_BUNDLE: bundlePath, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' },
  });
  let pending = '';
  const collect = failureCollector(pass.name);
  child.stdout.on('data', (chunk) => {
    process.stdout.write(chunk);
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      collect(line);
      const m = /^\S+ (pass|fail) (\d+)$/.exec(line.trim());
      if (m) counts[m[1]] += Number(m[2]);
    }
  });
  const code = await new Promise((resolve) => child.on('exit', (c, sig) => resolve(c ?? (sig ? 1 : 0))));
  console.error(`[test] tests, ${pass.name} pass: ${code === 0 ? 'ok' : `failed (exit ${code})`} in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  return code;
}

console.error(`[test] tests (${files.length} files: ${layers.join(', ')})...`);
const t0 = Date.now();
let code = 0;
// Both passes always run: a failure in the first still shows what the second finds.
for (const pass of passes) code = (await runPass(pass)) || code;
if (failures.length > 0) {
  console.log(`\n[test] failing tests, again (${failures.length}):`);
  for (const f of failures) console.log(`[${f.pass} pass] ${f.lines.join('\n')}\n`);
}
console.error(
  `[test] tests ${code === 0 ? 'ok' : `failed (exit ${code})`} in ${((Date.now() - t0) / 1000).toFixed(1)} s; all done in ${((Date.now() - started) / 1000).toFixed(0)} s`,
);
console.log(`${counts.pass} passed, ${counts.fail} failed`);
process.exit(code);
