// `leadflow up` as a user runs it: embedded Temporal dev server + Web UI, embedded PGlite,
// workers and API in one process group; a lead submitted from the CLI is visible by its search
// attributes; doctor is green; Ctrl-C stops everything in order (API, workers, dev server,
// database) within the workers' grace; a restart finds the lead again.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test, type TestContext } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { freeFixedPort, portOpen } from '../../temporal/net.js';
import { ensureTemporalCli } from '../../temporal/provision/index.js';
import { runCli, spawnCli, waitForOutput } from '../helpers/cli.js';

// The longest worker shutdown grace (workers/mailbox-worker.ts; the lead worker's is 10 s): `up`
// must be gone within it plus a margin for the API before and the dev server and database after.
const WORKER_GRACE_MS = 15_000;
const STOP_MARGIN_MS = 5_000;

/** Sends the signal; resolves with the exit code and how long the process took to exit. */
function interrupt(child: ChildProcess, signal: NodeJS.Signals = 'SIGINT', timeoutMs = 30_000): Promise<{ code: number | null; ms: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`leadflow up did not stop on ${signal}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, ms: Date.now() - started });
    });
    child.kill(signal);
  });
}

/** Everything the child prints from now on: the shutdown's log lines are read after it exits. */
function captureOutput(child: ChildProcess): () => string {
  let out = '';
  const onData = (d: Buffer) => {
    out += d.toString();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  return () => out;
}

/**
 * Stops `up` with `signal` and checks what it says while stopping (bin/commands/up.ts shutDown, at
 * LOG_LEVEL=info): each step's "stopped" line in the order API, workers, dev server, database, none
 * late, then "leadflow stopped"; and that it exited 0 within the workers' grace plus the margin.
 */
async function stopsInOrder(t: TestContext, child: ChildProcess, output: () => string, signal: NodeJS.Signals): Promise<void> {
  const { code, ms } = await interrupt(child, signal, WORKER_GRACE_MS + STOP_MARGIN_MS + 10_000);
  const lines = output()
    .split('\n')
    .flatMap((l) => {
      try {
        return [JSON.parse(l) as { msg?: string; step?: string; ms?: number }];
      } catch {
        return []; // the banner and other plain text
      }
    });
  assert.equal(code, 0, output().slice(-3000));
  const steps = lines.filter((l) => l.msg === 'stopped').map((l) => l.step);
  assert.deepEqual(steps, ['api', 'workers', 'temporal', 'db'], `${signal}: the stop order`);
  assert.deepEqual(
    lines.filter((l) => /shutdown step did not finish|error during shutdown/.test(l.msg ?? '')),
    [],
    `${signal}: every step finished in its bound`,
  );
  assert.equal(lines.at(-1)?.msg, 'leadflow stopped', `${signal}: the last line says so`);
  assert.ok(ms < WORKER_GRACE_MS + STOP_MARGIN_MS, `${signal}: exited after ${ms} ms, past the workers' grace plus ${STOP_MARGIN_MS} ms`);
  t.diagnostic(
    `${signal}: exited in ${ms} ms; ${lines
      .filter((l) => l.msg === 'stopped')
      .map((l) => `${l.step} ${l.ms} ms`)
      .join(', ')}`,
  );
}

describe('leadflow up (end to end)', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadflow-up-'));
  let up: ChildProcess | undefined;
  after(async () => {
    if (up && up.exitCode === null) await interrupt(up).catch(() => up?.kill('SIGKILL'));
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test('runs the whole product, survives a restart, and stops cleanly on Ctrl-C', async (t) => {
    const cli = await ensureTemporalCli();
    assert.ok(cli, 'the Temporal CLI is provisioned');
    // Below the ephemeral range: the dev server picks its internal ports there and could take ours.
    const [tPort, uiPort, apiPort] = [await freeFixedPort(), await freeFixedPort(), await freeFixedPort()];
    const env = {
      // This machine's DNS answers NXDOMAIN for every domain; a real one would find example.com's MX.
      MX_LOOKUP: 'off',
      LEADFLOW_DATA_DIR: dataDir,
      TEMPORAL_CLI: cli.path,
      TEMPORAL_ADDRESS: `127.0.0.1:${tPort}`,
      TEMPORAL_UI_PORT: String(uiPort),
      API_PORT: String(apiPort),
      // info: the shutdown's "stopped" lines are what the stop-order check reads.
      LOG_LEVEL: 'info',
    };
    const api = `http://127.0.0.1:${apiPort}`;

    up = spawnCli(['up'], env);
    const firstOutput = captureOutput(up);
    const banner = await waitForOutput(up, 'Press Ctrl-C to stop.', 120_000);
    assert.match(banner, new RegExp(`Temporal Web UI http://127.0.0.1:${uiPort}/`));
    assert.match(banner, new RegExp(`metrics +${api}/metrics`));

    assert.equal((await fetch(`${api}/health`)).status, 200);
    const ui = await fetch(`http://127.0.0.1:${uiPort}/`);
    assert.equal(ui.status, 200, 'the Temporal Web UI is served');
    assert.match(await ui.text(), /<html/i);

    const add = await runCli(['leads', 'add', '--source', 'demo', '--email', 'e2e@example.com', '--first', 'Ee'], env);
    assert.equal(add.code, 0, add.stderr);
    const { leadId, ui: leadUi } = JSON.parse(add.stdout) as { leadId: string; ui: string };
    assert.match(leadId, /^lead:[a-z2-7]{26}$/, 'the lead ID names nobody');
    assert.ok(leadUi.startsWith(`http://127.0.0.1:${uiPort}/namespaces/default/workflows/`));

    // The Web UI lists workflows through this same visibility API.
    const client = new Client({ connection: await Connection.connect({ address: env.TEMPORAL_ADDRESS }) });
    try {
      let seen = false;
      for (let i = 0; i < 100 && !seen; i++) {
        for await (const wf of client.workflow.list({ query: `LeadStatus = "waiting" AND LeadSource = "demo"` })) seen ||= wf.workflowId === leadId;
        if (!seen) await new Promise((r) => setTimeout(r, 100));
      }
      assert.ok(seen, 'the lead is listed with its search attributes');
    } finally {
      await client.connection.close();
    }

    // No provider credentials: the first message went to the local outbox, drafted from the template.
    const outbox = await runCli(['outbox', '--lead', leadId, '--json'], env);
    assert.equal(outbox.code, 0, outbox.stderr);
    const rows = JSON.parse(outbox.stdout) as Array<{ provider: string; status: string; recipient: string; subject: string; body: string }>;
    assert.deepEqual(
      rows.map((r) => [r.provider, r.status, r.recipient]),
      [['local', 'sent', 'e2e@example.com']],
    );
    assert.match(rows[0]?.body ?? '', /^Hi Ee,[\s\S]*To stop receiving these e-mails: http:\/\/127\.0\.0\.1:\d+\/unsubscribe\//);

    const doctor = await runCli(['doctor'], env);
    assert.equal(doctor.code, 0, doctor.stdout + doctor.stderr);
    assert.match(doctor.stdout, /ok\s+database\s+embedded PGlite, served by process \d+ at postgres:\/\/postgres:\*\*\*@127.0.0.1:\d+/);
    assert.doesNotMatch(
      doctor.stdout,
      new RegExp(fs.readFileSync(path.join(dataDir, 'embedded-db.password'), 'utf8').trim()),
      'the embedded password is never printed',
    );
    assert.match(doctor.stdout, /ok\s+workers\s+\d+ poller/);

    await stopsInOrder(t, up, firstOutput, 'SIGINT');
    assert.equal(await portOpen(tPort), false, 'the dev server stopped with it');
    assert.equal(await portOpen(apiPort), false);

    // Everything was persisted under the data dir: a second `up` still knows the lead.
    up = spawnCli(['up', '--headless'], env);
    const secondOutput = captureOutput(up);
    await waitForOutput(up, 'Press Ctrl-C to stop.', 120_000);
    const show = await runCli(['leads', 'show', leadId], env);
    assert.equal(show.code, 0, show.stderr);
    assert.equal((JSON.parse(show.stdout) as { status: string }).status, 'waiting');
    // A supervisor's SIGTERM stops it the same way, in order, within the workers' grace.
    await stopsInOrder(t, up, secondOutput, 'SIGTERM');
    assert.equal(await portOpen(tPort), false);
  });
});
