// Sending as a registry inbox: the ledger takes the inbox's own transport (built from its row with
// the secrets opened, rebuilt when the row changes), records the inbox on the outbox row, and the
// message arrives through that inbox's SMTP server with its From and Message-ID domain; messages
// without an inbox keep the configured transport. Real GreenMail and PostgreSQL. Then, end to end
// on the dev server with the real lead worker: a send through a SendGrid inbox whose key is sealed
// in the registry leaves that key in no lead or inbox history and in no worker log line.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createInboxTransports } from '../../activities/send/inbox-transports.js';
import { createSendActivities, type SendOutcome } from '../../activities/send/ledger.js';
import type { OutboundMessage } from '../../activities/send/transports.js';
import { getOutbox, insertInbox, updateInbox } from '../../db/index.js';
import { createSecretBox } from '../../domain/crypto/secret-box.js';
import { sealInboxSecrets } from '../../domain/inboxes/sealed.js';
import { DEFAULT_POLICY } from '../../workflows/inbox/contract.js';
import { startInboxLeadStack, type InboxLeadStack } from '../helpers/inbox-leads.js';
import { connectImap, startMailServer, type MailServer } from '../helpers/mailserver.js';
import { captureWorkerLogs, historyTexts, secretForms, type CapturedLogs } from '../helpers/secrets-scan.js';
import { recordingTransport } from '../helpers/recording-transport.js';
import { uniqueName } from '../helpers/temporal.js';
import { openTestDb, type TestDb } from '../helpers/test-db.js';

const REP = { user: 'rep@dealer-a.example', password: 'rep-a-secret', email: 'rep@dealer-a.example' };
const BUYER = { user: 'buyer@example.com', password: 'buyer-secret', email: 'buyer@example.com' };

describe('per-inbox transports', () => {
  let tdb: TestDb;
  let mail: MailServer;
  const box = createSecretBox([randomBytes(32)]);
  const fallback = recordingTransport();
  const env: Record<string, string> = {};

  before(async () => {
    [tdb, mail] = await Promise.all([openTestDb(), startMailServer({ users: [REP, BUYER] })]);
    await insertInbox(tdb.db, {
      id: 'dealer-a',
      kind: 'smtp',
      channel: 'email',
      address: REP.email,
      displayName: 'Dealer A Sales',
      policy: DEFAULT_POLICY,
      settings: { smtp: { ...mail.smtp, user: REP.user } },
      secretsEnc: sealInboxSecrets(box, 'dealer-a', { smtpPassword: REP.password }),
      verifiedAt: new Date(),
    });
  });
  after(async () => {
    await mail?.stop();
    await tdb?.close();
  });

  const ledger = () =>
    createSendActivities({
      db: tdb.db,
      transports: { email: fallback, sms: fallback },
      compose: {
        unsubscribe: { publicUrl: 'http://127.0.0.1:3000/', secret: 'x'.repeat(32), mailto: null },
        postalAddress: null,
        messageIdDomain: 'leadflow.example',
      },
      inboxes: createInboxTransports({ db: tdb.db, box, defaults: { email: fallback, sms: fallback }, env }),
    });
  const message = (o: Partial<OutboundMessage> = {}): OutboundMessage => ({
    idempotencyKey: uniqueName('lead-i:step-1'),
    leadId: 'lead:i',
    step: 1,
    channel: 'email',
    to: BUYER.email,
    subject: 'Your trade-in',
    text: 'Hello from your dealer',
    ...o,
  });
  const run = (l: ReturnType<typeof ledger>, msg: OutboundMessage): Promise<SendOutcome> =>
    new MockActivityEnvironment().run<[OutboundMessage], SendOutcome, typeof l.sendMessage>(l.sendMessage, msg);

  async function received(messageId: string): Promise<{ from: string } | null> {
    const client = await connectImap(mail, BUYER);
    try {
      await client.mailboxOpen('INBOX');
      for await (const m of client.fetch('1:*', { envelope: true })) {
        if (m.envelope?.messageId === messageId) return { from: m.envelope.from?.[0]?.address ?? '' };
      }
      return null;
    } finally {
      await client.logout();
    }
  }

  test("a message naming an inbox goes out through that inbox's SMTP server and the ledger records the inbox", async () => {
    const l = ledger();
    const msg = message({ inboxId: 'dealer-a' });
    const out = await run(l, msg);
    assert.equal(out.provider, 'smtp');
    const row = await getOutbox(tdb.db, msg.idempotencyKey);
    assert.equal(row?.inbox_id, 'dealer-a');
    assert.match(row?.message_id ?? '', /@dealer-a\.example>$/, "the inbox's own domain");
    assert.equal(out.providerMessageId, row?.message_id);
    const got = await received(row.message_id!);
    assert.deepEqual(got, { from: REP.email });
    assert.equal(fallback.sends.length, 0, 'the configured transport was not used');

    const plain = message();
    await run(l, plain);
    assert.equal(fallback.sends.length, 1);
    assert.equal((await getOutbox(tdb.db, plain.idempotencyKey))?.inbox_id, null);
  });

  test('a changed inbox is rebuilt on the next send; a missing secret or unknown inbox fails before any call', async () => {
    const l = ledger();
    await run(l, message({ inboxId: 'dealer-a' }));
    // The secret moves to an environment variable that is not set here: retryable, nothing claimed.
    await updateInbox(tdb.db, 'dealer-a', { settings: { smtp: { ...mail.smtp, user: REP.user, passwordEnv: 'DEALER_A_SMTP_PASSWORD' } }, secretsEnc: null });
    const pending = message({ inboxId: 'dealer-a' });
    const err = await run(l, pending).then(
      () => assert.fail('expected a failure'),
      (e: unknown) => e as ApplicationFailure,
    );
    assert.equal(err.type, 'InboxUnavailable');
    assert.equal(err.nonRetryable, false);
    assert.equal(await getOutbox(tdb.db, pending.idempotencyKey), undefined, 'nothing claimed');
    env.DEALER_A_SMTP_PASSWORD = REP.password;
    const sent = await run(l, pending);
    assert.equal(sent.provider, 'smtp');
    assert.ok(await received((await getOutbox(tdb.db, pending.idempotencyKey))!.message_id!));

    const unknown = await run(l, message({ inboxId: 'nobody' })).then(
      () => assert.fail('expected a failure'),
      (e: unknown) => e as ApplicationFailure,
    );
    assert.equal(unknown.nonRetryable, true);
    assert.match(unknown.message, /no inbox nobody/);
  });
});

describe("a registry inbox's credentials never reach histories or worker logs (dev server, real lead worker)", () => {
  let s: InboxLeadStack;
  let logs: CapturedLogs;
  before(async () => {
    // From before the worker starts: its start-up lines count too.
    logs = captureWorkerLogs();
    s = await startInboxLeadStack();
  });
  after(async () => {
    logs?.stop();
    await s?.stop();
  });

  test('after a send through the inbox (one failed attempt, then accepted) its API key is in no history and no log line', async () => {
    const inbox = await s.addInbox();
    // A 500 first: the failed attempt's error is logged and recorded in the lead's history too.
    s.sendgrid.faults.push({ status: 500 });
    const leadId = await s.submit(inbox);
    await s.leadUntil(leadId, 'the first message sent', (st) => st.stepsSent === 1);
    const calls = s.sendgrid.requests.filter((r) => r.path === '/v3/mail/send' && r.headers.authorization === `Bearer ${s.apiKey}`);
    assert.equal(calls.length, 2, "both attempts authenticated with the inbox's own key");

    for (const workflowId of [leadId, s.inboxWorkflowId(inbox)]) {
      const history = await s.env.client.workflow.getHandle(workflowId).fetchHistory();
      const { raw, decoded } = await historyTexts(history);
      // The search must see what is there: opened payloads (not only the plain search attribute) name the inbox.
      assert.ok(
        decoded.some((t) => t.includes(`"inboxId":"${inbox}"`)),
        `${workflowId}: the decoded payloads mention the inbox`,
      );
      for (const form of secretForms(s.apiKey)) {
        assert.ok(!raw.includes(form), `${workflowId}: the stored history carries no form of the key`);
        assert.ok(!decoded.some((t) => t.includes(form)), `${workflowId}: no decoded payload carries the key`);
      }
    }
    const text = logs.lines.join('');
    assert.ok(
      text.includes('"level":"trace"') && text.includes('Activity failed') && text.includes(leadId.slice(5)),
      "the capture holds this lead's worker lines down to TRACE, its failed attempt too",
    );
    for (const form of secretForms(s.apiKey)) assert.ok(!text.includes(form), 'no worker log line carries the key');
  });
});
