// `leadflow ingest`, `quarantine` and `apikey` as subprocesses against the dev server and PostgreSQL.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { adfEmail, adfXml } from '../helpers/adf.js';
import { runCli } from '../helpers/cli.js';
import { uniqueName } from '../helpers/temporal.js';
import { startDevStack, type DevStack } from '../helpers/stack.js';
import type { TestDb } from '../helpers/test-db.js';
import { opaqueLeadId } from '../../temporal/lead-ids.js';
import { TEST_LEAD_ID_SECRET } from '../helpers/codec.js';

describe('leadflow ingest / quarantine / apikey', () => {
  let stack: DevStack;
  let env: TestWorkflowEnvironment;
  let tdb: TestDb;
  let cli: Record<string, string>;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadflow-ingest-'));
  const file = (name: string, content: string | Buffer) => {
    const p = path.join(dir, name);
    fs.writeFileSync(p, content);
    return p;
  };

  before(async () => {
    stack = await startDevStack();
    ({ env, tdb } = stack);
    cli = { DATABASE_URL: tdb.url, TEMPORAL_ADDRESS: env.address, LEADFLOW_DATA_DIR: dir };
  });
  after(async () => {
    await stack?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('ingests XML and .eml files into lead workflows, and again harmlessly', async () => {
    const [a, b] = [uniqueName('cli'), uniqueName('cli')];
    const files = [file('a.xml', adfXml({ id: a })), file('b.eml', await adfEmail(adfXml({ id: b }), { transferEncoding: 'quoted-printable' }))];
    const res = await runCli(['ingest', ...files], cli);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, new RegExp(`a\\.xml: ${opaqueLeadId(TEST_LEAD_ID_SECRET, `testfeed:id:${a}`)}`));
    assert.match(res.stdout, new RegExp(`b\\.eml: ${opaqueLeadId(TEST_LEAD_ID_SECRET, `testfeed:id:${b}`)}`));
    assert.match(res.stderr, /2 file\(s\): 2 lead\(s\); 2 accepted/);
    const again = await runCli(['ingest', '--json', files[0]!], cli);
    const line = JSON.parse(again.stdout) as { status: string; leads: Array<{ leadId: string; arrivalId: string }> };
    assert.equal(line.leads[0]?.leadId, opaqueLeadId(TEST_LEAD_ID_SECRET, `testfeed:id:${a}`));
    const described = await env.client.workflow.getHandle(opaqueLeadId(TEST_LEAD_ID_SECRET, `testfeed:id:${a}`)).describe();
    assert.equal(described.status.name, 'RUNNING');
  });

  test('a bad file is quarantined (exit 1), listed, shown byte for byte, and a retry reports it still fails', async () => {
    const bad = adfXml().replace('<adf>', '<adf><oops>');
    const res = await runCli(['ingest', '--json', file('good.xml', adfXml()), file('bad.xml', bad), path.join(dir, 'missing.xml')], cli);
    assert.equal(res.code, 1);
    const lines = res.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { file: string; status?: string; quarantineId?: string; error?: string });
    assert.deepEqual(
      lines.map((l) => l.status ?? 'error'),
      ['accepted', 'quarantined', 'error'],
    );
    const qid = lines[1]!.quarantineId!;
    assert.match((await runCli(['quarantine', 'list'], cli)).stdout, new RegExp(`${qid}.*cli:bad\\.xml.*bad-adf`));
    assert.equal((await runCli(['quarantine', 'show', qid, '--raw'], cli)).stdout, bad);
    const retry = await runCli(['quarantine', 'retry', qid], cli);
    assert.equal(retry.code, 1);
    assert.equal((JSON.parse(retry.stdout) as { status: string }).status, 'quarantined');
  });

  test('apikey create prints the key once; list never shows secrets; revoke works; bad scopes are refused', async () => {
    const created = await runCli(['apikey', 'create', '--name', 'crm-sync', '--scopes', 'read,write'], cli);
    assert.equal(created.code, 0, created.stderr);
    const { id, key } = JSON.parse(created.stdout) as { id: string; key: string };
    assert.match(key, /^lf_[A-Za-z0-9_-]{43}$/);
    const list = await runCli(['apikey', 'list'], cli);
    assert.ok(list.stdout.includes(id) && !list.stdout.includes(key) && !list.stdout.includes('secret_hash'));
    assert.equal((await runCli(['apikey', 'revoke', id], cli)).code, 0);
    assert.notEqual((await runCli(['apikey', 'revoke', id], cli)).code, 0, 'revoking twice says so');
    const bad = await runCli(['apikey', 'create', '--name', 'x', '--scopes', 'root'], cli);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /--scopes must list read, write, admin/);
  });
});
