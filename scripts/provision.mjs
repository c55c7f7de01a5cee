#!/usr/bin/env node
// Provisions the local Temporal servers before the tests run (CI calls this first, via
// scripts/run-tests.mjs): the Java time-skipping test server and the Temporal CLI dev server
// (and GreenMail, promtool for the alert rules, the Compose schema; and the production tools —
// helm, the Kubernetes schema validator, Temporal's own server and SQL tool — which `--background`
// builds in a detached low-priority process, see temporal/provision/production-tools.ts).
// Both are cached under $LEADFLOW_CACHE_DIR (default ~/.cache/leadflow), so after the first run
// this takes about a second. Plain .mjs so it runs with bare `node`; the TypeScript
// implementation is loaded through tsx's loader API.
//
// Exit codes: 0 ready; 1 something is missing or failed (the message says what to install).
import { register } from 'tsx/esm/api';

const unregister = register();
const { ensureTemporalCli, ensureTestServer, testServerPaths, cacheDir } = await import('../temporal/provision/index.ts');
const { ensureGreenMail } = await import('../temporal/provision/greenmail.ts');
const { ensurePromtool } = await import('../temporal/provision/promtool.ts');
const { ensureComposeSchema } = await import('../temporal/provision/compose-schema.ts');
const { ensureProductionTools } = await import('../temporal/provision/production-tools.ts');
unregister();

const log = (msg) => process.stderr.write(`[provision] ${msg}\n`);
const fail = (msg) => {
  process.stderr.write(`[provision] ERROR: ${msg}\n`);
  process.exit(1);
};
const started = Date.now();
log(`cache: ${cacheDir()}`);

// The background half of `--background` (below): only the production tools, at the lowest priority.
if (process.argv.includes('--production-only')) {
  try {
    await ensureProductionTools(log, { nice: true });
    log(`production tools ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    process.exit(0);
  } catch (err) {
    fail(`production tools: ${err instanceof Error ? err.message : String(err)}`);
  }
}

let testServer;
try {
  testServer = await ensureTestServer(log);
} catch (err) {
  fail(`could not provision the Temporal test server: ${err instanceof Error ? err.message : String(err)}`);
}
if (testServer === null) {
  fail(
    'the time-skipping Temporal test server needs Java (JDK 17+) and Maven on PATH, and at least one is missing.\n' +
      '  Debian/Ubuntu: apt-get install -y openjdk-17-jdk-headless maven',
  );
}

let cli;
try {
  cli = await ensureTemporalCli(log);
} catch (err) {
  fail(err instanceof Error ? err.message : String(err));
}
if (cli === null) {
  const msg = 'no Temporal CLI: set TEMPORAL_CLI, put `temporal` on PATH, or install Go so it can be built ' + 'with `go install`.';
  // Without a CLI the SDK downloads one from GitHub at test time. That works on a developer's
  // machine with internet, never in CI here, so only CI treats it as fatal.
  if (process.env.CI === 'true' || process.env.CI === '1') fail(msg);
  log(`warning: ${msg} Tests will fall back to the SDK's download, which needs internet access.`);
}

let startup = '';
try {
  const { readFileSync } = await import('node:fs');
  const state = JSON.parse(readFileSync(testServerPaths().state, 'utf8'));
  startup = ` (starts in ~${state.startupMs} ms${state.archive ? ', CDS archive' : ''})`;
} catch {
  // state.json is informational only
}
console.log(`temporal test server: ${testServer}${startup}`);
console.log(`temporal cli:         ${cli === null ? '(none: SDK download fallback)' : `${cli.path} (${cli.source})`}`);
// GreenMail: the in-memory IMAP/SMTP server of the mail integration tests (same Java + Maven).
let greenMail;
try {
  greenMail = await ensureGreenMail(log);
} catch (err) {
  fail(`could not provision GreenMail: ${err instanceof Error ? err.message : String(err)}`);
}
if (greenMail === null) fail('the GreenMail test mail server needs Java (JDK 11+) and Maven on PATH, and at least one is missing.');
console.log(`greenmail:            ${greenMail.launcher}`);
// promtool: checks and unit-tests deploy/prometheus/ (apt-get installs Debian's prometheus when missing).
let promtool;
try {
  promtool = await ensurePromtool(log);
} catch (err) {
  fail(`could not provision promtool: ${err instanceof Error ? err.message : String(err)}`);
}
console.log(`promtool:             ${promtool}`);
// The Compose specification's JSON schema (one `go mod download`, seconds).
try {
  console.log(`compose schema:       ${await ensureComposeSchema(log)}`);
} catch (err) {
  fail(`could not provision the Compose schema: ${err instanceof Error ? err.message : String(err)}`);
}

// helm, the Kubernetes schema validator, Temporal's own server and its SQL tool: minutes of
// compiling on a fresh machine (see temporal/provision/production-tools.ts). `--background`
// (npm test) hands them to a detached low-priority process and returns; the tests that need them
// wait on the same locks. Without it they are built here.
if (process.argv.includes('--background')) {
  const { spawn } = await import('node:child_process');
  const { openSync, mkdirSync } = await import('node:fs');
  const { join, dirname } = await import('node:path');
  const { fileURLToPath } = await import('node:url');
  mkdirSync(cacheDir(), { recursive: true });
  const logFile = join(cacheDir(), 'provision-production.log');
  const fd = openSync(logFile, 'a');
  const script = join(dirname(fileURLToPath(import.meta.url)), 'provision.mjs');
  const child = spawn(process.execPath, [script, '--production-only'], { detached: true, stdio: ['ignore', fd, fd] });
  child.unref();
  log(`production tools (helm, schema validator, Temporal server and SQL tool): building in the background, log ${logFile}`);
} else {
  try {
    const tools = await ensureProductionTools(log, { nice: true });
    console.log(`helm:                 ${tools.helm} (Kubernetes schemas ${tools.kubernetesVersion})`);
    console.log(`temporal server:      ${tools.temporalServer}`);
    console.log(`temporal sql tool:    ${tools.sqlTool}`);
  } catch (err) {
    fail(`could not provision the production tools: ${err instanceof Error ? err.message : String(err)}`);
  }
}

log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
