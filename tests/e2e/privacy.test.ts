// No contact data in Temporal: a lead with a distinctive name, e-mail and phone goes through its
// first message and a reply under `leadflow up`; afterwards none of those strings is in the dev
// server's database files, in `temporal workflow show`, or in the Web UI's list API, while the
// codec server (what the Web UI calls) decodes the same history back to them.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, describe, test } from 'node:test';
import { freeFixedPort } from '../../temporal/net.js';
import { ensureTemporalCli } from '../../temporal/provision/index.js';
import { runCli, spawnCli, waitForOutput } from '../helpers/cli.js';
import { eventually } from '../helpers/eventually.js';

const run = promisify(execFile);

describe('privacy: what Temporal stores names nobody', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadflow-privacy-'));
  let up: ChildProcess | undefined;
  after(async () => {
    if (up && up.exitCode === null) {
      const exited = new Promise((resolve) => up?.once('exit', resolve));
      up.kill('SIGTERM');
      await exited;
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test('first message and reply; then no name, e-mail or phone in the server database, workflow show or the UI list; the codec decodes them', async () => {
    const cli = await ensureTemporalCli();
    assert.ok(cli);
    const [tPort, uiPort, apiPort] = [await freeFixedPort(), await freeFixedPort(), await freeFixedPort()];
    const env = {
      MX_LOOKUP: 'off',
      LEADFLOW_DATA_DIR: dataDir,
      TEMPORAL_CLI: cli.path,
      TEMPORAL_ADDRESS: `127.0.0.1:${tPort}`,
      TEMPORAL_UI_PORT: String(uiPort),
      API_PORT: String(apiPort),
      LOG_LEVEL: 'warn',
      // The install's own keys (generated into the data dir), not the test harness's.
      PAYLOAD_ENCRYPTION_KEYS: '',
      LEAD_ID_SECRET: '',
    };
    const secrets = { first: 'Quintessa', last: 'Vrolijkheid', email: 'quintessa.vrolijk@privacy-probe.example', phone: '+12025550187' };
    up = spawnCli(['up'], env);
    await waitForOutput(up, 'Press Ctrl-C to stop.', 120_000);

    const add = await runCli(
      ['leads', 'add', '--source', 'probe', '--email', secrets.email, '--phone', secrets.phone, '--first', secrets.first, '--last', secrets.last],
      env,
    );
    assert.equal(add.code, 0, add.stderr);
    const { leadId } = JSON.parse(add.stdout) as { leadId: string };
    assert.match(leadId, /^lead:[a-z2-7]{26}$/);

    // The first message, then a reply to it through the intake (matched by its Message-ID).
    const sent = await eventually(
      'the first message in the outbox',
      async () => {
        const out = await runCli(['outbox', '--lead', leadId, '--json'], env);
        const rows = JSON.parse(out.stdout || '[]') as Array<{ status: string; message_id: string | null }>;
        return rows.find((r) => r.status === 'sent' && r.message_id !== null);
      },
      60_000,
    );
    const reply = path.join(dataDir, 'reply.eml');
    fs.writeFileSync(
      reply,
      [
        `From: ${secrets.first} ${secrets.last} <${secrets.email}>`,
        'To: leads@localhost',
        `Subject: Re: your enquiry`,
        `Message-ID: <reply-${Date.now()}@privacy-probe.example>`,
        `In-Reply-To: ${sent.message_id}`,
        `Date: ${new Date().toUTCString()}`,
        'Content-Type: text/plain; charset=utf-8',
        '',
        `Yes please, call me on ${secrets.phone}. ${secrets.first}`,
        '',
      ].join('\r\n'),
    );
    const ingested = await runCli(['ingest', reply], env);
    assert.equal(ingested.code, 0, ingested.stdout + ingested.stderr);
    await eventually(
      'the lead to be replied',
      async () => {
        const show = await runCli(['leads', 'show', secrets.email], env);
        return show.code === 0 && (JSON.parse(show.stdout) as { status: string }).status === 'replied';
      },
      60_000,
    );

    const leaks = (text: string) => Object.values(secrets).filter((s) => text.includes(s) || text.includes(s.replace('+', '')));

    // The dev server's own database (SQLite and its write-ahead log), as bytes.
    const temporalDir = path.join(dataDir, 'temporal');
    const files = fs.readdirSync(temporalDir).map((f) => path.join(temporalDir, f));
    assert.ok(
      files.some((f) => f.endsWith('.sqlite')),
      'the dev server database is there',
    );
    for (const f of files) assert.deepEqual(leaks(fs.readFileSync(f).toString('latin1')), [], `${path.basename(f)} holds contact data`);

    // What an operator of the Temporal server sees.
    const { stdout: shown } = await run(cli.path, ['workflow', 'show', '--address', env.TEMPORAL_ADDRESS, '-w', leadId, '--output', 'json'], {
      maxBuffer: 64 * 1024 * 1024,
    });
    assert.deepEqual(leaks(shown), [], 'temporal workflow show');
    assert.match(shown, /binary\/encrypted|YmluYXJ5L2VuY3J5cHRlZA/, 'the payloads are ciphertext');
    const list = await (await fetch(`http://127.0.0.1:${uiPort}/api/v1/namespaces/default/workflows?query=`)).text();
    assert.ok(list.includes(leadId), 'the UI lists the lead');
    assert.deepEqual(leaks(list), [], "the Web UI's list API");

    // The codec server decodes what the server stores, for a caller with a key.
    const { key } = JSON.parse((await runCli(['apikey', 'create', '--name', 'ui', '--scopes', 'read'], env)).stdout) as { key: string };
    const history = JSON.parse(shown) as { events: Array<{ workflowExecutionStartedEventAttributes?: { input?: { payloads?: unknown[] } } }> };
    const input = history.events[0]?.workflowExecutionStartedEventAttributes?.input?.payloads;
    assert.ok(input && input.length > 0);
    const decoded = await fetch(`http://127.0.0.1:${apiPort}/codec/decode`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ payloads: input }),
    });
    assert.equal(decoded.status, 200, await decoded.clone().text());
    const plain = ((await decoded.json()) as { payloads: Array<{ data: string }> }).payloads
      .map((p) => Buffer.from(p.data, 'base64').toString('utf8'))
      .join('\n');
    assert.ok(plain.includes(secrets.email) && plain.includes(secrets.first), 'the codec decodes the lead input');
    assert.equal(
      (
        await fetch(`http://127.0.0.1:${apiPort}/codec/decode`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ payloads: input }),
        })
      ).status,
      401,
      'never open',
    );
  });
});
