// `leadflow up` as a user runs it: embedded Temporal dev server + Web UI, embedded PGlite,
// workers and API in one process group; a lead submitted from the CLI is visible by its search
// attributes; doctor is green; Ctrl-C stops everything; a restart finds the lead again.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { freeFixedPort, portOpen } from '../../temporal/net.js';
import { ensureTemporalCli } from '../../temporal/provision/index.js';
import { runCli, spawnCli, waitForOutput } from '../helpers/cli.js';

/** Sends the signal; resolves with the exit code. Bounded by the workers' longest shutdown grace and the dev server's stop. */
function interrupt(child: ChildProcess, signal: NodeJS.Signals = 'SIGINT', timeoutMs = 30_000): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`leadflow up did not stop on ${signal}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
    child.kill(signal);
  });
}

describe('leadflow up (end to end)', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadflow-up-'));
  let up: ChildProcess | undefined;
  after(async () => {
    if (up && up.exitCode === null) await interrupt(up).catch(() => up?.kill('SIGKILL'));
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test('runs the whole product, survives a restart, and stops cleanly on Ctrl-C', async () => {
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
      LOG_LEVEL: 'warn',
    };
    const api = `http://127.0.0.1:${apiPort}`;

    up = spawnCli(['up'], env);
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

    assert.equal(await interrupt(up), 0);
    assert.equal(await portOpen(tPort), false, 'the dev server stopped with it');
    assert.equal(await portOpen(apiPort), false);

    // Everything was persisted under the data dir: a second `up` still knows the lead.
    up = spawnCli(['up', '--headless'], env);
    await waitForOutput(up, 'Press Ctrl-C to stop.', 120_000);
    const show = await runCli(['leads', 'show', leadId], env);
    assert.equal(show.code, 0, show.stderr);
    assert.equal((JSON.parse(show.stdout) as { status: string }).status, 'waiting');
    // A supervisor's SIGTERM stops it the same way, in order, well within the workers' grace.
    assert.equal(await interrupt(up, 'SIGTERM'), 0);
    assert.equal(await portOpen(tPort), false);
  });
});
