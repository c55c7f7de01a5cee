// `leadflow inboxes` end to end against GreenMail, PostgreSQL and the dev server: add with flags
// (the password as an environment variable's name) and from a JSON file (inline secret, sealed),
// a refused login stores nothing, list/show never print a secret, pause/resume reach the workflow.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { inboxWorkflowId } from '../../workflows/inbox/contract.js';
import { runCli } from '../helpers/cli.js';
import { startMailServer, type MailServer } from '../helpers/mailserver.js';
import { startDevStack, type DevStack } from '../helpers/stack.js';

const PASSWORD = 'Cli-Mailbox-Secret-42';

describe('leadflow inboxes', () => {
  let stack: DevStack;
  let mail: MailServer;
  let env: Record<string, string>;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadflow-inboxes-cli-'));

  before(async () => {
    [stack, mail] = await Promise.all([
      startDevStack(),
      startMailServer({ users: [{ user: 'cli@dealer.example', password: PASSWORD, email: 'cli@dealer.example' }] }),
    ]);
    env = { DATABASE_URL: stack.tdb.url, TEMPORAL_ADDRESS: stack.env.address, LEADFLOW_DATA_DIR: dataDir, CLI_INBOX_PASSWORD: PASSWORD };
  });
  after(async () => {
    await mail?.stop();
    await stack?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const smtpFlags = (id: string) => [
    'inboxes',
    'add',
    '--id',
    id,
    '--kind',
    'smtp',
    '--address',
    'cli@dealer.example',
    '--smtp-host',
    '127.0.0.1',
    '--smtp-port',
    String(mail.smtp.port),
    '--smtp-user',
    'cli@dealer.example',
    '--smtp-password-env',
    'CLI_INBOX_PASSWORD',
    '--imap-host',
    '127.0.0.1',
    '--imap-port',
    String(mail.imap.port),
    '--policy',
    '{"dailyCap": 25, "window": {"timeZone": "Europe/Berlin"}}',
  ];

  test('add with flags and from a file; a refused login or bad policy stores nothing; no secret is printed', async () => {
    const added = await runCli(smtpFlags('cli-1'), env);
    assert.equal(added.code, 0, added.stderr);
    const view = JSON.parse(added.stdout) as {
      settings: { smtp: { passwordEnv: string; hasPassword: boolean }; imap: { passwordEnv: string } };
      policy: { dailyCap: number };
    };
    assert.equal(view.settings.smtp.passwordEnv, 'CLI_INBOX_PASSWORD');
    assert.equal(view.settings.imap.passwordEnv, 'CLI_INBOX_PASSWORD', 'IMAP takes the SMTP login');
    assert.equal(view.policy.dailyCap, 25);

    const file = path.join(dataDir, 'inbox.json');
    fs.writeFileSync(
      file,
      JSON.stringify({ id: 'cli-2', kind: 'smtp', address: 'cli@dealer.example', smtp: { ...mail.smtp, user: 'cli@dealer.example', password: PASSWORD } }),
      { mode: 0o600 },
    );
    const fromFile = await runCli(['inboxes', 'add', '--file', file], env);
    assert.equal(fromFile.code, 0, fromFile.stderr);
    assert.ok(!fromFile.stdout.includes(PASSWORD));
    const row = await stack.tdb.db.selectFrom('inboxes').select('secrets_enc').where('id', '=', 'cli-2').executeTakeFirstOrThrow();
    assert.ok(row.secrets_enc !== null && !row.secrets_enc.includes(PASSWORD));
    assert.ok(fs.existsSync(path.join(dataDir, 'inbox-credentials.key')), 'the local key was generated into the data dir');

    const refused = await runCli(smtpFlags('cli-3'), { ...env, CLI_INBOX_PASSWORD: 'wrong' });
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /smtp\.passwordEnv: the SMTP server refused the login/);
    const badTz = await runCli([...smtpFlags('cli-3').slice(0, -1), '{"window": {"timeZone": "Nowhere/City"}}'], env);
    assert.equal(badTz.code, 1);
    assert.match(badTz.stderr, /policy\.window\.timeZone/);
    assert.equal((await stack.tdb.db.selectFrom('inboxes').select('id').where('id', '=', 'cli-3').execute()).length, 0);
  });

  test('list and show: the implicit inboxes and the registry, secrets as presence only', async () => {
    const list = await runCli(['inboxes', 'list'], env);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /^default\s+smtp\s+active\s+implicit/m);
    assert.match(list.stdout, /^default-sms\s+sms/m);
    assert.match(list.stdout, /^cli-1\s+smtp/m);
    const show = await runCli(['inboxes', 'show', 'cli-2'], env);
    assert.equal(show.code, 0, show.stderr);
    assert.equal((JSON.parse(show.stdout) as { settings: { smtp: { hasPassword: boolean } } }).settings.smtp.hasPassword, true);
    assert.ok(!show.stdout.includes(PASSWORD) && !list.stdout.includes(PASSWORD));
    assert.equal((await runCli(['inboxes', 'show', 'nope'], env)).code, 1);
  });

  test('pause and resume signal the inbox workflow', async () => {
    const paused = await runCli(['inboxes', 'pause', 'cli-1', '--reason', 'domain warming issue'], env);
    assert.equal(paused.code, 0, paused.stderr);
    const resumed = await runCli(['inboxes', 'resume', 'cli-1'], env);
    assert.equal(resumed.code, 0, resumed.stderr);
    const handle = stack.env.client.workflow.getHandle(inboxWorkflowId('cli-1'));
    const names = (await handle.fetchHistory()).events?.flatMap((e) => e.workflowExecutionSignaledEventAttributes?.signalName ?? []);
    assert.deepEqual(names, ['pauseInbox', 'resumeInbox']);
    await handle.terminate('test over').catch(() => undefined);
  });
});
