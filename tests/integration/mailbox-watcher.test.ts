// ADF lead e-mails through a real IMAP server (GreenMail) into lead workflows on the dev server:
// IDLE pick-up, duplicates and resends, quarantine, a watcher stopped mid-batch, and an IMAP
// server restart.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { register } from 'prom-client';
import { createLogger } from '../../config/logger.js';
import type { Config } from '../../config/index.js';
import { getLead, listLeadEvents, listQuarantined } from '../../db/index.js';
import { queryLeadState } from '../../temporal/lead-client.js';
import { ensureMailboxWatchers, stopMailboxWatcher } from '../../temporal/mailbox-client.js';
import { testLeadWorker } from '../helpers/lead-worker.js';
import { createMailboxWorker } from '../../workers/mailbox-worker.js';
import { adfEmail, adfXml } from '../helpers/adf.js';
import { appendMessage, startMailServer, type MailServer } from '../helpers/mailserver.js';
import { createDevServerEnv, uniqueName } from '../helpers/temporal.js';
import { openTestDb, type TestDb } from '../helpers/test-db.js';
import { eventually } from '../helpers/eventually.js';
import { TEST_LEAD_ID_SECRET, testDataConverter } from '../helpers/codec.js';
import { opaqueLeadId } from '../../temporal/lead-ids.js';

const user = { user: 'dealer@example.com', password: 'imap-secret', email: 'dealer@example.com' };
/**
 * How long a new worker may wait for the watcher's activity. Each test's worker hands it back at
 * shutdown and the next one picks it up at once; an attempt whose hand-back is lost is noticed by
 * the server at the activity's heartbeat timeout (1 minute, the workflow's) and retried 2 s later.
 * This waited 20 s before and failed once in CI, with the stop test after it; not reproduced since
 * (two runs beside three busy loops passed), so the wait now covers the workflow's own bound.
 */
const HANDOVER_MS = 75_000;

describe('mailbox watcher: IMAP to lead workflows', () => {
  let env: TestWorkflowEnvironment;
  let tdb: TestDb;
  let mail: MailServer;
  let leadWorker: Worker;
  let leadRun: Promise<void>;
  const leadQueue = uniqueName('leads');
  const mailQueue = uniqueName('mailboxes');
  let imap: NonNullable<Config['imap']>;
  let watcherId: string;

  const mailboxWorker = (overrides: Partial<NonNullable<Config['imap']>> = {}) =>
    createMailboxWorker({
      dataConverter: testDataConverter,
      leadIdSecret: TEST_LEAD_ID_SECRET,
      connection: env.nativeConnection,
      namespace: 'default',
      client: env.client,
      db: tdb.db,
      imap: { ...imap, ...overrides },
      log: createLogger('silent'),
      taskQueue: mailQueue,
      leadTaskQueue: leadQueue,
    });

  before(async () => {
    [env, tdb, mail] = await Promise.all([createDevServerEnv(), openTestDb(), startMailServer({ users: [user] })]);
    imap = { ...mail.imap, user: user.user, password: user.password, mailboxes: ['INBOX'], processedFlag: '\\Seen', moveTo: undefined, pollSeconds: 5 };
    leadWorker = await testLeadWorker(env, tdb.db, { taskQueue: leadQueue });
    leadRun = leadWorker.run();
    [watcherId] = (await ensureMailboxWatchers(env.client, imap, mailQueue)) as [string];
  });
  after(async () => {
    leadWorker?.shutdown();
    await leadRun;
    await mail?.stop();
    await env?.teardown();
    await tdb?.close();
  });

  test('an ADF e-mail becomes a lead through IDLE; duplicates merge; bad mail is quarantined', async () => {
    // A safety poll an hour away: every message here can only come in through IDLE (the pick-up
    // time is printed, not asserted; bench/imap-ingest.ts measures it).
    const worker = await mailboxWorker({ pollSeconds: 3600 });
    await worker.runUntil(async () => {
      const id = uniqueName('imap');
      const leadId = opaqueLeadId(TEST_LEAD_ID_SECRET, `testfeed:id:${id}`);
      const t0 = Date.now();
      await appendMessage(mail, user, await adfEmail(adfXml({ id, first: 'Iris' })));
      await eventually('the lead row', () => getLead(tdb.db, leadId));
      console.error(`# APPEND -> lead persisted: ${Date.now() - t0} ms`);
      assert.equal((await getLead(tdb.db, leadId))?.first_name, 'Iris');

      // The same prospect again in a new e-mail (a feed resending it), and once more as a resend.
      await appendMessage(mail, user, await adfEmail(adfXml({ id, first: 'Iris' })));
      await appendMessage(mail, user, await adfEmail(adfXml({ id, first: 'Iris', status: 'resend' }), { attach: false }));
      await eventually('three arrivals on one lead', async () => (await queryLeadState(env.client, leadId)).arrivals === 3);

      const junk = 'From: someone@example.com\r\nTo: dealer@example.com\r\nSubject: hello\r\nMessage-ID: <junk-1@example.com>\r\n\r\nNo lead in here.\r\n';
      await appendMessage(mail, user, junk);
      const q = await eventually('the quarantined message', async () =>
        (await listQuarantined(tdb.db, { status: 'open', limit: 50, offset: 0 })).find((i) => i.mailbox !== null && i.reason.includes('no ADF')),
      );
      assert.equal(q.source, 'imap');
      assert.equal(q.error_code, 'unmatched-inbound', 'mail with no lead that answers none of ours is kept as unmatched');
    });
  });

  test('a watcher stopped mid-batch resumes from its checkpoint: every message exactly once', async () => {
    const ids = Array.from({ length: 12 }, () => uniqueName('batch'));
    for (const id of ids) await appendMessage(mail, user, await adfEmail(adfXml({ id })));
    const first = await mailboxWorker();
    await first.runUntil(
      eventually('some of the batch', async () => {
        let n = 0;
        for (const id of ids) if (await getLead(tdb.db, opaqueLeadId(TEST_LEAD_ID_SECRET, `testfeed:id:${id}`))) n++;
        return n >= 3 && n < ids.length ? n : n === ids.length ? n : false;
      }),
    );
    // A second worker picks the retried activity up from the checkpoint (as soon as the first
    // hands it back, or at the heartbeat timeout if that is lost: HANDOVER_MS).
    const second = await mailboxWorker();
    await second.runUntil(
      eventually(
        'the whole batch',
        async () => {
          for (const id of ids) if (!(await getLead(tdb.db, opaqueLeadId(TEST_LEAD_ID_SECRET, `testfeed:id:${id}`)))) return false;
          return true;
        },
        HANDOVER_MS,
      ),
    );
    for (const id of ids) {
      const arrivals = (await listLeadEvents(tdb.db, opaqueLeadId(TEST_LEAD_ID_SECRET, `testfeed:id:${id}`))).filter((e) => e.type === 'arrival');
      assert.equal(arrivals.length, 1, `${id} arrived ${arrivals.length} times`);
    }
  });

  test('an IMAP server restart is counted as a disconnection and the watcher carries on', async () => {
    const worker = await mailboxWorker();
    await worker.runUntil(async () => {
      const metric = async () => (await register.getSingleMetric('adf_imap_disconnections_total')?.get())?.values.reduce((a, v) => a + v.value, 0) ?? 0;
      const before = await metric();
      const warm = uniqueName('warm');
      await appendMessage(mail, user, await adfEmail(adfXml({ id: warm })));
      await eventually('the watcher is connected', () => getLead(tdb.db, opaqueLeadId(TEST_LEAD_ID_SECRET, `testfeed:id:${warm}`)), HANDOVER_MS);
      await mail.restart(); // GreenMail starts empty: a new UIDVALIDITY, so the watcher starts over
      await eventually('a counted disconnection', async () => (await metric()) > before, 20_000);
      const id = uniqueName('after-restart');
      await appendMessage(mail, user, await adfEmail(adfXml({ id })));
      await eventually('the lead after the restart', () => getLead(tdb.db, opaqueLeadId(TEST_LEAD_ID_SECRET, `testfeed:id:${id}`)), 30_000);
    });
  });

  test('the stop signal ends the watcher with its checkpoint', async () => {
    const worker = await mailboxWorker();
    await worker.runUntil(async () => {
      await stopMailboxWatcher(env.client, watcherId, 'test over', 'tests');
      const handle = env.client.workflow.getHandle(watcherId);
      // Polled rather than one long poll of result(): the watcher ends once its activity has
      // handed back its checkpoint, and a long poll on a loaded dev server's SQLite can be cut
      // short ("interrupted (9)", seen once in CI).
      await eventually('the watcher to end', async () => (await handle.describe()).status.name !== 'RUNNING', HANDOVER_MS);
      const state = (await handle.result()) as {
        stopping: { reason: string } | null;
        checkpoint: { lastUid: number } | null;
      };
      assert.equal(state.stopping?.reason, 'test over');
      assert.ok(state.checkpoint && state.checkpoint.lastUid >= 1);
    });
  });
});
