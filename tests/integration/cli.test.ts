// The real `leadflow` CLI as a subprocess: doctor against live and dead dependencies, migrate,
// and configuration errors.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { SMTPServer } from 'smtp-server';
import type { CheckOutcome } from '../../domain/health/probe.js';
import { migrations } from '../../db/index.js';
import { freePort, runCli } from '../helpers/cli.js';
import { startOpenAI } from '../helpers/standins/openai.js';
import type { StandIn } from '../helpers/standins/http.js';
import { startSendGrid } from '../helpers/standins/sendgrid.js';
import { startTwilio } from '../helpers/standins/twilio.js';
import { createDevServerEnv } from '../helpers/temporal.js';
import { openTestDb, type TestDb } from '../helpers/test-db.js';

describe('leadflow CLI', () => {
  let env: TestWorkflowEnvironment;
  let tdb: TestDb;
  let smtp: SMTPServer;
  let smtpPort: number;
  let standins: StandIn[];
  let base: Record<string, string>;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'leadflow-cli-'));

  before(async () => {
    [env, tdb] = await Promise.all([createDevServerEnv(), openTestDb()]);
    smtpPort = await freePort();
    smtp = new SMTPServer({ authOptional: true, disabledCommands: ['STARTTLS'] });
    await new Promise<void>((resolve) => smtp.listen(smtpPort, '127.0.0.1', resolve));
    const [sg, tw, ai] = await Promise.all([
      startSendGrid({ apiKey: 'SG.test-key' }),
      startTwilio({ accountSid: 'AC00000000000000000000000000000001', authToken: 'tw-token' }),
      startOpenAI({ apiKey: 'sk-test' }),
    ]);
    standins = [sg, tw, ai];
    base = {
      DATABASE_URL: tdb.url,
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_EMBEDDED: 'false',
      LEADFLOW_DATA_DIR: tmp,
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(smtpPort),
      SENDGRID_API_KEY: 'SG.test-key',
      SENDGRID_BASE_URL: sg.url,
      TWILIO_ACCOUNT_SID: 'AC00000000000000000000000000000001',
      TWILIO_AUTH_TOKEN: 'tw-token',
      TWILIO_BASE_URL: tw.url,
      TWILIO_FROM: '+14155550000',
      SENDER_EMAIL: 'sales@dealer.test',
      OPENAI_API_KEY: 'sk-test',
      OPENAI_BASE_URL: `${ai.url}/v1`,
    };
  });
  after(async () => {
    await Promise.all((standins ?? []).map((s) => s.close()));
    await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
    await env?.teardown();
    await tdb?.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  const doctor = async (env: Record<string, string>) => {
    const res = await runCli(['doctor', '--json'], env);
    return { code: res.code, results: JSON.parse(res.stdout) as CheckOutcome[], stderr: res.stderr };
  };
  const byName = (results: CheckOutcome[]) => Object.fromEntries(results.map((r) => [r.name, r]));

  test('doctor is green when every configured dependency answers', async () => {
    const { code, results } = await doctor(base);
    const r = byName(results);
    for (const name of ['database', 'temporal', 'temporal search attributes', 'smtp', 'sendgrid', 'twilio', 'openai']) {
      assert.equal(r[name]?.ok, true, `${name}: ${r[name]?.detail}`);
    }
    assert.equal(r.workers?.required, false, 'no worker runs here: a warning, not a failure');
    assert.equal(r.imap?.detail, 'not configured (local default in use)');
    assert.equal(code, 0);
    assert.ok(
      standins[2]!.requests.some((q) => q.path === '/v1/models/gpt-4o-mini'),
      'the real openai client reached the stand-in',
    );
  });

  test('doctor exits 1 and names each required dependency that is down or refuses us', async () => {
    const closed = await freePort();
    const { code, results } = await doctor({ ...base, SMTP_PORT: String(closed), OPENAI_API_KEY: 'sk-wrong', TWILIO_AUTH_TOKEN: 'bad' });
    const r = byName(results);
    assert.equal(code, 1);
    assert.equal(r.smtp?.ok, false);
    assert.match(r.smtp?.detail ?? '', /ECONNREFUSED/);
    assert.equal(r.openai?.ok, false);
    assert.match(r.openai?.detail ?? '', /401|Incorrect API key/);
    assert.equal(r.twilio?.ok, false);
    assert.equal(r.sendgrid?.ok, true);
    assert.equal(r.database?.ok, true);
  });

  test('doctor flags an unmigrated embedded database, and migrate fixes it', async () => {
    const dataDir = fs.mkdtempSync(path.join(tmp, 'pglite-'));
    const { DATABASE_URL: _omit, ...noPg } = base;
    const env = { ...noPg, LEADFLOW_DATA_DIR: dataDir };
    const before = byName((await doctor(env)).results);
    assert.equal(before.database?.ok, false);
    assert.match(before.database?.detail ?? '', /pending migration.*leadflow migrate/);

    const migrate = await runCli(['migrate'], env);
    assert.equal(migrate.code, 0, migrate.stderr);
    assert.match(migrate.stdout, new RegExp(`applied ${Object.keys(migrations).length} migration\\(s\\) on pglite: ${Object.keys(migrations).join(', ')}`));
    const again = await runCli(['migrate'], env);
    assert.match(again.stdout, /up to date/);
    assert.equal(byName((await doctor(env)).results).database?.ok, true);
  });

  test('migrate exits non-zero with the cause when the database is unreachable', async () => {
    const res = await runCli(['migrate'], { ...base, DATABASE_URL: `postgres://nobody@127.0.0.1:${await freePort()}/x` });
    assert.notEqual(res.code, 0);
    assert.match(res.stderr, /ECONNREFUSED|connect/);
  });

  test('a bad setting stops any command at once with the variable named (exit 78)', async () => {
    const res = await runCli(['doctor'], { ...base, API_PORT: 'eighty' });
    assert.equal(res.code, 78);
    assert.match(res.stderr, /API_PORT must be a whole number/);
  });
});
