// `leadflow campaign` end to end: the real CLI (bin/leadflow.mjs) against a listening API on the
// dev server with the lead worker: create from a JSON file, import a CSV with invalid rows (the
// printed report, exit 0), a refused import (the problem and its field, exit 1), show, start,
// pause/resume with a reason, and stats read from the database.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { campaignSpec, prospectsCsv, startCampaignStack, type CampaignStack } from '../helpers/campaigns/harness.js';
import { runCli } from '../helpers/cli.js';

describe('leadflow campaign (CLI → API → PostgreSQL + dev server)', () => {
  let s: CampaignStack;
  let env: Record<string, string>;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadflow-campaign-cli-'));
  const file = (name: string, content: string) => {
    const p = path.join(dir, name);
    fs.writeFileSync(p, content);
    return p;
  };

  before(async () => {
    s = await startCampaignStack();
    await s.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = s.app.server.address() as AddressInfo;
    env = {
      LEADFLOW_API_URL: `http://127.0.0.1:${port}`,
      LEADFLOW_API_KEY: (s.auth.authorization ?? '').replace(/^Bearer /, ''),
      DATABASE_URL: s.stack.tdb.url,
      LEADFLOW_DATA_DIR: dir,
    };
  });
  after(async () => {
    await s?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('create, import with a row report, show, start, pause/resume, stats', async () => {
    // Step 2 an hour out: the campaign stays running while it is paused and resumed.
    const spec = campaignSpec({ name: 'CLI fleet offer' });
    spec.steps[1]!.delay = '1 hour';
    const created = await runCli(['campaign', 'create', file('campaign.json', JSON.stringify(spec)), '--json'], env);
    assert.equal(created.code, 0, created.stderr);
    const id = (JSON.parse(created.stdout) as { id: string; status: string }).id;
    assert.equal((await s.stack.tdb.db.selectFrom('campaigns').select('name').where('id', '=', id).executeTakeFirstOrThrow()).name, 'CLI fleet offer');

    const csv = file('prospects.csv', prospectsCsv(3, { extraRows: ['not-an-email,Bad,Co,plan-1', 'P2@fleet.example.com,Twice,Co,plan-2'] }));
    const imported = await runCli(['campaign', 'import', id, csv, '--idempotency-key', 'cli-upload-1'], env);
    assert.equal(imported.code, 0, imported.stderr);
    const lines = imported.stdout.trim().split('\n');
    assert.match(lines[0] ?? '', /^import imp_\w+: 3\/5 rows accepted, 2 invalid$/);
    assert.match(lines[1] ?? '', /^\s*row\s+field\s+reason$/);
    assert.match(lines[2] ?? '', /^\s*5\s+email\s+\S/);
    assert.match(lines[3] ?? '', /^\s*6\s+email\s+.*row 3/);
    assert.doesNotMatch(imported.stderr, /bytes sent/, 'no progress bar when stderr is not a terminal');

    // The same key again: the earlier import, as JSON.
    const again = await runCli(['campaign', 'import', id, csv, '--idempotency-key', 'cli-upload-1', '--json'], env);
    assert.equal(again.code, 0, again.stderr);
    const report = JSON.parse(again.stdout) as { created: boolean; importId: string; accepted: number };
    assert.deepEqual([report.created, report.accepted], [false, 3]);
    assert.ok(lines[0]?.includes(report.importId));

    // An HTTP problem: exit 1 with the detail and the field it names; nothing more stored.
    const mapping = file('mapping.json', JSON.stringify({ 'E-Mail': 'email' }));
    const bad = await runCli(['campaign', 'import', id, file('more.csv', prospectsCsv(2, { domain: 'more.example.com' })), '--mapping', mapping], env);
    assert.equal(bad.code, 1, bad.stdout);
    assert.match(bad.stderr, /HTTP 400: mapping names column "E-Mail"/);
    assert.match(bad.stderr, /\n {2}body: mapping names column "E-Mail"/);
    const stored = await s.stack.tdb.db.selectFrom('campaign_prospects').select('email_norm').where('campaign_id', '=', id).execute();
    assert.equal(stored.length, 3);

    const shown = await runCli(['campaign', 'show', id], env);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, new RegExp(`^campaign ${id}: CLI fleet offer`));
    assert.match(shown.stdout, /status\s+draft/);
    assert.match(shown.stdout, /steps\s+2 \(email, inboxes default\)/);

    const started = await runCli(['campaign', 'start', id], env);
    assert.equal(started.code, 0, started.stderr);
    assert.equal(started.stdout.trim(), `campaign ${id}: running`);
    const paused = await runCli(['campaign', 'pause', id, '--reason', 'checking copy'], env);
    assert.equal(paused.stdout.trim(), `campaign ${id}: paused`, paused.stderr);
    const row = await s.stack.tdb.db.selectFrom('campaigns').select(['status', 'status_reason']).where('id', '=', id).executeTakeFirstOrThrow();
    assert.deepEqual(row, { status: 'paused', status_reason: 'checking copy' });
    const pausedAgain = await runCli(['campaign', 'pause', id], env);
    assert.match(pausedAgain.stdout, /paused \(unchanged: it already was\)/);
    const resumed = await runCli(['campaign', 'resume', id], env);
    assert.equal(resumed.stdout.trim(), `campaign ${id}: running`, resumed.stderr);

    const listed = await runCli(['campaign', 'list', '--status', 'running'], env);
    assert.match(listed.stdout, new RegExp(`^${id}\\s+running\\s+\\S+\\s+CLI fleet offer$`, 'm'));

    const stats = await runCli(['campaign', 'stats', id], env);
    assert.equal(stats.code, 0, stats.stderr);
    assert.match(stats.stdout, new RegExp(`^campaign ${id} \\(CLI fleet offer, running\\)`));
    assert.match(stats.stdout, /^TOTAL\s/m);
  });

  test('refusals: a 409, a 413 mid-upload, a missing key named', async () => {
    const empty = await runCli(['campaign', 'create', file('empty.json', JSON.stringify(campaignSpec({ name: 'Empty' }))), '--json'], env);
    const id = (JSON.parse(empty.stdout) as { id: string }).id;
    const start = await runCli(['campaign', 'start', id], env);
    assert.equal(start.code, 1);
    assert.match(start.stderr, /HTTP 409: .*has no prospects/);

    // Past the API's 20 MB cap: the 413 answered mid-upload is printed, not the broken pipe after it.
    const row = `${'x'.repeat(400)}@big.example.com,Big\r\n`;
    const big = file('big.csv', `Email,First Name\r\n${row.repeat(Math.ceil((21 * 1024 * 1024) / row.length))}`);
    const tooLarge = await runCli(['campaign', 'import', id, big], env);
    assert.equal(tooLarge.code, 1, tooLarge.stdout);
    assert.match(tooLarge.stderr, /HTTP 413: the prospect list is larger than 20 MB/);

    const noKey = await runCli(['campaign', 'show', id], { ...env, LEADFLOW_API_KEY: '' });
    assert.equal(noKey.code, 1);
    assert.match(noKey.stderr, /LEADFLOW_API_KEY is not set/);
  });
});
