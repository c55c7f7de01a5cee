// Answers to our messages through a real IMAP server (GreenMail) to their leads on the dev
// server: a lead's first message is sent, then a reply, a DSN bounce, an out-of-office or a
// "not interested" is APPENDed to the watched mailbox, and the lead's state is checked.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createLogger } from '../../config/logger.js';
import type { Config } from '../../config/index.js';
import { findSuppression, listLeadEvents, listOutbox, listQuarantined } from '../../db/index.js';
import { leadHandle, queryLeadState, submitLead } from '../../temporal/lead-client.js';
import { ensureMailboxWatchers } from '../../temporal/mailbox-client.js';
import type { LeadState } from '../../workflows/lead/contract.js';
import { handoverWorkflowId } from '../../workflows/handover/contract.js';
import { testLeadWorker } from '../helpers/lead-worker.js';
import { createMailboxWorker } from '../../workers/mailbox-worker.js';
import { makeLeadInput } from '../helpers/leads.js';
import { appendMessage, startMailServer, type MailServer } from '../helpers/mailserver.js';
import { testServices } from '../helpers/services.js';
import { createDevServerEnv, uniqueName } from '../helpers/temporal.js';
import { openTestDb, type TestDb } from '../helpers/test-db.js';
import { eventually } from '../helpers/eventually.js';
import { TEST_LEAD_ID_SECRET, testDataConverter } from '../helpers/codec.js';
import { testIdentity } from '../helpers/codec.js';

const user = { user: 'sales@acme.test', password: 'imap-secret', email: 'sales@acme.test' };
const FIXTURE_ID = '<3f2a9c1e5b7d4a6f8e0c2b4d6f8a0c2e@acme.test>';

describe('inbound mail routed to its lead (IMAP → classifier → lead signals)', () => {
  let env: TestWorkflowEnvironment;
  let tdb: TestDb;
  let mail: MailServer;
  let leadWorker: Worker;
  let mailWorker: Worker;
  let runs: Array<Promise<void>>;
  const leadQueue = uniqueName('leads');
  const mailQueue = uniqueName('mailboxes');

  before(async () => {
    [env, tdb, mail] = await Promise.all([createDevServerEnv(), openTestDb(), startMailServer({ users: [user] })]);
    const imap: NonNullable<Config['imap']> = {
      ...mail.imap,
      user: user.user,
      password: user.password,
      mailboxes: ['INBOX'],
      processedFlag: '\\Seen',
      moveTo: undefined,
      pollSeconds: 5,
    };
    const compose = { ...testServices().compose, replyTo: user.email };
    leadWorker = await testLeadWorker(env, tdb.db, { taskQueue: leadQueue, services: { compose } });
    mailWorker = await createMailboxWorker({
      dataConverter: testDataConverter,
      leadIdSecret: TEST_LEAD_ID_SECRET,
      connection: env.nativeConnection,
      namespace: 'default',
      client: env.client,
      db: tdb.db,
      imap,
      log: createLogger('silent'),
      taskQueue: mailQueue,
      leadTaskQueue: leadQueue,
    });
    runs = [leadWorker.run(), mailWorker.run()];
    await ensureMailboxWatchers(env.client, imap, mailQueue);
  });
  after(async () => {
    leadWorker?.shutdown();
    mailWorker?.shutdown();
    await Promise.all(runs ?? []);
    await mail?.stop();
    await env?.teardown();
    await tdb?.close();
  });

  /** A lead whose first message went out; returns its ID, address and that message's Message-ID. */
  async function contacted(): Promise<{ leadId: string; email: string; messageId: string }> {
    const input = makeLeadInput();
    const { leadId } = await submitLead(env.client, input, { identity: testIdentity, taskQueue: leadQueue });
    const row = await eventually('the first message', async () => (await listOutbox(tdb.db, { leadId, limit: 1, offset: 0 })).find((r) => r.status === 'sent'));
    assert.match(row.message_id ?? '', /^<[0-9a-f]{32}@localhost>$/);
    return { leadId, email: input.contact.email ?? '', messageId: row.message_id ?? '' };
  }
  const reply = (to: { email: string; messageId: string }, body: string, extra = '') =>
    `From: Jane <${to.email}>\r\nTo: ${user.email}\r\nSubject: Re: Your 2024 Subaru Outback enquiry\r\nMessage-ID: <${uniqueName('in')}@example.com>\r\nIn-Reply-To: ${to.messageId}\r\nReferences: ${to.messageId}\r\n${extra}Date: ${new Date().toUTCString()}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${body}\r\n`;
  const state = (leadId: string, ok: (s: LeadState) => boolean) =>
    eventually(`${leadId} state`, async () => {
      const s = await queryLeadState(env.client, leadId);
      return ok(s) ? s : null;
    });

  test('a reply with interest ends the lead as replied with its new text only', async () => {
    const lead = await contacted();
    await appendMessage(
      mail,
      user,
      reply(lead, 'Yes, Saturday works for a test drive.\r\n\r\nOn Mon, Nov 23, 2026 at 9:00 AM Acme <sales@acme.test> wrote:\r\n> Hi Jane'),
    );
    assert.equal((await leadHandle(env.client, lead.leadId).result()).status, 'replied');
    const event = (await listLeadEvents(tdb.db, lead.leadId)).find((e) => e.type === 'reply');
    assert.deepEqual([event?.detail.text, event?.detail.intent], ['Yes, Saturday works for a test drive.', 'interested']);
  });

  test('"not interested" stops the lead; "remove me" unsubscribes and suppresses', async () => {
    const a = await contacted();
    await appendMessage(mail, user, reply(a, 'Not interested, I bought one elsewhere.'));
    const outcome = await leadHandle(env.client, a.leadId).result();
    assert.equal(outcome.status, 'stopped');
    const b = await contacted();
    await appendMessage(mail, user, reply(b, 'Please remove me from your list.'));
    assert.equal((await leadHandle(env.client, b.leadId).result()).status, 'unsubscribed');
    assert.equal((await findSuppression(tdb.db, b.email))?.reason, 'unsubscribe');
  });

  test('a DSN hard bounce for our message ends the lead as bounced and suppresses the address', async () => {
    const lead = await contacted();
    const dsn = fs
      .readFileSync(path.join(import.meta.dirname, '../fixtures/mail/postfix-hard-bounce.eml'), 'utf8')
      .replaceAll(FIXTURE_ID, lead.messageId)
      .replaceAll('jane.nobody@example.net', lead.email);
    await appendMessage(mail, user, dsn);
    assert.equal((await leadHandle(env.client, lead.leadId).result()).status, 'bounced');
    assert.equal((await findSuppression(tdb.db, lead.email))?.reason, 'hard_bounce');
  });

  test('an out-of-office holds the next follow-up until the day after the return date', async () => {
    const lead = await contacted();
    const back = new Date(Date.now() + 10 * 86_400_000);
    const backText = back.toLocaleDateString('en-US', { weekday: 'long', month: 'long', day: 'numeric', year: 'numeric', timeZone: 'UTC' });
    await appendMessage(mail, user, reply(lead, `I am out of the office until ${backText}.`, 'Auto-Submitted: auto-replied\r\n'));
    const s = await state(
      lead.leadId,
      (x) =>
        x.timeline?.some((t) => t.type === 'auto_reply') === true &&
        x.status === 'waiting' &&
        (x.nextSendAt ?? '') > new Date(Date.now() + 3 * 86_400_000).toISOString(),
    );
    const expected = new Date(Date.UTC(back.getUTCFullYear(), back.getUTCMonth(), back.getUTCDate() + 1)).toISOString();
    assert.equal(s.nextSendAt, expected);
    await leadHandle(env.client, lead.leadId).terminate('test done');
  });

  test('a reply whose client dropped In-Reply-To and References still finds its lead through the plus-address', async () => {
    const lead = await contacted();
    const token = /^<([0-9a-f]{32})@/.exec(lead.messageId)?.[1] ?? '';
    const bare = `From: Jane <${lead.email}>\r\nTo: sales+${token}@acme.test\r\nSubject: about the car\r\nMessage-ID: <${uniqueName('in')}@example.com>\r\nDate: ${new Date().toUTCString()}\r\nContent-Type: text/plain\r\n\r\nRe: the Outback, can I see it Friday?\r\n`;
    await appendMessage(mail, user, bare);
    const outcome = await leadHandle(env.client, lead.leadId).result();
    assert.equal(outcome.status, 'replied');
    await leadHandle(env.client, handoverWorkflowId(lead.leadId))
      .terminate('test done')
      .catch(() => undefined);
  });

  test('an answer to no message of ours is kept in the quarantine as unmatched', async () => {
    const stranger = { email: 'stranger@example.com', messageId: '<not-ours@elsewhere.example>' };
    await appendMessage(mail, user, reply(stranger, 'Is this still available?'));
    const q = await eventually('the unmatched mail', async () =>
      (await listQuarantined(tdb.db, { status: 'open', limit: 50, offset: 0 })).find((i) => i.error_code === 'unmatched-inbound' && i.reason.includes('reply')),
    );
    assert.equal(q.source, 'imap');
  });
});
