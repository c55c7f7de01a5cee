// Replies to a registry inbox: its IMAP mailbox is watched by the existing mailbox watcher, one
// workflow per inbox, with the server and login read from the registry inside the activity (the
// workflow input names only the inbox). No IMAP_* configuration at all. GreenMail, dev server.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createLogger } from '../../config/logger.js';
import { insertInbox, listQuarantined } from '../../db/index.js';
import { createSecretBox } from '../../domain/crypto/secret-box.js';
import { sealInboxSecrets } from '../../domain/inboxes/sealed.js';
import { ensureInboxWatchers, inboxMailboxId, stopMailboxWatcher } from '../../temporal/mailbox-client.js';
import { DEFAULT_POLICY } from '../../workflows/inbox/contract.js';
import { createMailboxWorker } from '../../workers/mailbox-worker.js';
import { TEST_LEAD_ID_SECRET, testDataConverter } from '../helpers/codec.js';
import { eventually } from '../helpers/eventually.js';
import { appendMessage, startMailServer, type MailServer } from '../helpers/mailserver.js';
import { createDevServerEnv, uniqueName } from '../helpers/temporal.js';
import { openTestDb, type TestDb } from '../helpers/test-db.js';

const REP = { user: 'rep@dealer-w.example', password: 'Watched-Inbox-Secret-9', email: 'rep@dealer-w.example' };

describe('registry inboxes are watched for replies', () => {
  let env: TestWorkflowEnvironment;
  let tdb: TestDb;
  let mail: MailServer;
  const box = createSecretBox([randomBytes(32)]);
  const queue = uniqueName('mailboxes');

  before(async () => {
    [env, tdb, mail] = await Promise.all([createDevServerEnv(), openTestDb(), startMailServer({ users: [REP] })]);
    await insertInbox(tdb.db, {
      id: 'dealer-w',
      kind: 'smtp',
      channel: 'email',
      address: REP.email,
      displayName: null,
      policy: DEFAULT_POLICY,
      settings: { smtp: { ...mail.smtp, user: REP.user }, imap: { ...mail.imap, user: REP.user, mailbox: 'INBOX' } },
      secretsEnc: sealInboxSecrets(box, 'dealer-w', { smtpPassword: REP.password, imapPassword: REP.password }),
      verifiedAt: new Date(),
    });
  });
  after(async () => {
    await mail?.stop();
    await env?.teardown();
    await tdb?.close();
  });

  test("mail arriving in an inbox's mailbox is ingested; no credential is in the watcher's history", async () => {
    const worker = await createMailboxWorker({
      dataConverter: testDataConverter,
      leadIdSecret: TEST_LEAD_ID_SECRET,
      connection: env.nativeConnection,
      namespace: 'default',
      client: env.client,
      db: tdb.db,
      inboxes: { box, count: 1 },
      log: createLogger('silent'),
      taskQueue: queue,
    });
    const [watcherId] = (await ensureInboxWatchers(env.client, [{ id: 'dealer-w', mailbox: 'INBOX' }], queue)) as [string];
    assert.equal(watcherId, `mailbox-watcher:${inboxMailboxId('dealer-w', 'INBOX')}`);
    await worker.runUntil(async () => {
      const messageId = `${uniqueName('reply')}@buyer.example`;
      const raw = `From: buyer@buyer.example\r\nTo: ${REP.email}\r\nSubject: Re: your offer\r\nMessage-ID: <${messageId}>\r\n\r\nSounds good.\r\n`;
      await appendMessage(mail, REP, raw);
      // It answers none of our messages here, so it is kept as unmatched mail, tagged with the inbox's mailbox.
      const item = await eventually('the ingested message', async () =>
        (await listQuarantined(tdb.db, { status: 'open', limit: 50, offset: 0 })).find((i) => i.mailbox === inboxMailboxId('dealer-w', 'INBOX')),
      );
      assert.equal(item.source, 'imap');
      await stopMailboxWatcher(env.client, watcherId, 'test over', 'test');
      await env.client.workflow.getHandle(watcherId).result();
    });
    const history = JSON.stringify(await env.client.workflow.getHandle(watcherId).fetchHistory());
    assert.ok(!history.includes(REP.password) && !history.includes(Buffer.from(REP.password).toString('base64')), 'no secret in the history');
  });
});
