// Handover on the time-skipping server with real activities, a real SMTP server catching the
// dossier and escalation e-mails, and the API's signed acknowledgement link: round-robin that
// skips reps who are away, acknowledgement before the SLA, two escalations without one.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { FastifyInstance } from 'fastify';
import { simpleParser } from 'mailparser';
import { register } from 'prom-client';
import { SMTPServer } from 'smtp-server';
import { buildApp } from '../../api/app.js';
import { createSmtpSender } from '../../activities/mail/smtp-send.js';
import { smtpTransport } from '../../activities/send/transports.js';
import { createLogger } from '../../config/logger.js';
import { addSalesperson, getHandover } from '../../db/index.js';
import { leadHandle, queryLeadState, submitLead } from '../../temporal/lead-client.js';
import { testLeadWorker } from '../helpers/lead-worker.js';
import { handoverStateQuery, handoverWorkflowId, type HandoverState } from '../../workflows/handover/contract.js';
import { replyReceivedSignal } from '../../workflows/lead/contract.js';
import { makeLeadInput } from '../helpers/leads.js';
import { recordingTransport } from '../helpers/recording-transport.js';
import { createTimeSkippingEnv, terminateRunning, uniqueName } from '../helpers/temporal.js';
import { openTestDb, type TestDb } from '../helpers/test-db.js';
import { testIdentity, TEST_LEAD_ID_SECRET } from '../helpers/codec.js';

interface Caught {
  to: string[];
  subject: string;
  html: string;
  text: string;
}

describe('handover to a salesperson (time-skipping server, real SMTP)', () => {
  let env: TestWorkflowEnvironment;
  let tdb: TestDb;
  let smtp: SMTPServer;
  let app: FastifyInstance;
  let port: number;
  const caught: Caught[] = [];

  before(async () => {
    tdb = await openTestDb();
    smtp = new SMTPServer({
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData(stream, session, cb) {
        void simpleParser(stream).then((m) => {
          caught.push({
            to: session.envelope.rcptTo.map((r) => r.address),
            subject: m.subject ?? '',
            html: typeof m.html === 'string' ? m.html : '',
            text: m.text ?? '',
          });
          cb();
        }, cb);
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    port = (smtp.server.address() as AddressInfo).port;
  });
  after(async () => {
    await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
    await tdb?.close();
  });

  // A time-skipping server (and an API on its client) per test: on the Java test server a handover
  // that completes after its lead closed can leave time skipping locked for every later test.
  async function withWorker<T>(fn: (taskQueue: string) => Promise<T>): Promise<T> {
    env = await createTimeSkippingEnv();
    // Same secret as testServices(): the API verifies the links the worker signs.
    app = await buildApp({
      leadIdSecret: TEST_LEAD_ID_SECRET,
      db: tdb.db,
      temporal: env.client,
      logger: createLogger('silent'),
      unsubscribeSecret: 'local-test-secret-not-for-production',
    });
    try {
      return await withEnvWorker(fn);
    } finally {
      await app.close();
      await env.teardown();
    }
  }

  async function withEnvWorker<T>(fn: (taskQueue: string) => Promise<T>): Promise<T> {
    const taskQueue = uniqueName('handover');
    const email = smtpTransport(createSmtpSender({ host: '127.0.0.1', port, secure: false, messageIdDomain: 'acme.test' }), 'sales@acme.test');
    const worker = await testLeadWorker(env, tdb.db, {
      taskQueue,
      services: { transports: { email, sms: recordingTransport() }, fallbackManager: 'gm@acme.test' },
    });
    // Ended while the worker still polls: a workflow task left on an unserved queue keeps the
    // time-skipping server's clock locked (see tests/workflow/lead-workflow.test.ts).
    return worker.runUntil(async () => {
      try {
        return await fn(taskQueue);
      } finally {
        await terminateRunning(env.client, started.splice(0));
      }
    });
  }
  const started: string[] = [];

  /** A lead of `team` that replied with interest; returns its handover's state once the dossier went out. */
  async function interestedLead(taskQueue: string, team: string): Promise<{ leadId: string; handoverId: string }> {
    const { leadId } = await submitLead(env.client, makeLeadInput({ source: team }), { identity: testIdentity, taskQueue });
    started.push(leadId);
    for (let i = 0; i < 200 && (await queryLeadState(env.client, leadId)).stepsSent !== 1; i++) await new Promise((r) => setTimeout(r, 50));
    await leadHandle(env.client, leadId).signal(replyReceivedSignal, {
      eventId: 'r1',
      channel: 'email',
      from: 'jane@example.com',
      text: 'Yes! Can I test drive it Saturday?',
      receivedAt: new Date().toISOString(),
      intent: 'interested',
    });
    assert.equal((await leadHandle(env.client, leadId).result()).status, 'replied');
    const handoverId = handoverWorkflowId(leadId);
    started.push(leadId, handoverId);
    return { leadId, handoverId };
  }
  const handoverState = (id: string) => env.client.workflow.getHandle(id).query(handoverStateQuery);
  async function dossierFor(leadId: string): Promise<Caught> {
    for (let i = 0; i < 200; i++) {
      const m = caught.find((c) => c.subject.startsWith('Hot lead') && c.text.includes(leadId.split(':').pop() ?? '~'));
      if (m !== undefined) return m;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.fail(`no dossier e-mail for ${leadId}`);
  }

  test('no acknowledgement: the manager is told after 15 minutes and again after 30, then the handover closes unacknowledged', async () => {
    const team = uniqueName('dealer');
    await addSalesperson(tdb.db, { id: `${team}-c`, name: 'Cy Rep', email: `cy-${team}@acme.test`, managerEmail: null, team });
    await withWorker(async (taskQueue) => {
      const { handoverId } = await interestedLead(taskQueue, team);
      const done = (await env.client.workflow.getHandle(handoverId).result()) as HandoverState; // skips the SLAs
      assert.deepEqual([done.status, done.escalations], ['unacknowledged', 2]);
      const [t0, t1, t2] = done.sentAt.map((t) => Date.parse(t));
      assert.ok((t1 ?? 0) - (t0 ?? 0) >= 15 * 60_000 && (t1 ?? 0) - (t0 ?? 0) < 16 * 60_000, 'first escalation at the SLA');
      assert.ok((t2 ?? 0) - (t1 ?? 0) >= 15 * 60_000 && (t2 ?? 0) - (t1 ?? 0) < 16 * 60_000, 'second at the second SLA');
      const mails = caught.filter((c) => c.to.includes('gm@acme.test') && c.subject.includes('Escalation'));
      assert.ok(
        mails.some((m) => m.subject.startsWith('[Escalation 1')) && mails.some((m) => m.subject.startsWith('[Escalation 2')),
        'the fallback manager got both escalations',
      );
    });
  });

  test('round-robin skips reps who are away; the dossier is complete; the signed link acknowledges it', async () => {
    const team = uniqueName('dealer');
    await addSalesperson(tdb.db, { id: `${team}-a`, name: 'Ann Rep', email: `ann-${team}@acme.test`, managerEmail: `boss-${team}@acme.test`, team });
    await addSalesperson(tdb.db, { id: `${team}-b`, name: 'Ben Rep', email: `ben-${team}@acme.test`, managerEmail: null, team });
    await tdb.db.updateTable('salespeople').set({ away: true }).where('id', '=', `${team}-b`).execute();
    await withWorker(async (taskQueue) => {
      const { leadId, handoverId } = await interestedLead(taskQueue, team);
      const dossier = await dossierFor(leadId);
      assert.deepEqual(dossier.to, [`ann-${team}@acme.test`], 'Ben is away: Ann takes it');
      assert.match(dossier.subject, /^Hot lead: Jane Doe — 2024 Subaru Outback$/);
      for (const part of ['Yes! Can I test drive it Saturday?', 'Score:', 'Suggested answer (template)', 'Jane Doe enquired about the 2024 Subaru Outback'])
        assert.ok(dossier.text.includes(part), part);
      assert.ok(!dossier.text.includes('To stop receiving these e-mails'), 'internal mail has no unsubscribe footer');
      const ack = /href="(http[^"]*\/handover\/ack\/[^"]+)"/.exec(dossier.html)?.[1] ?? '';
      const path = new URL(ack).pathname;
      assert.equal((await app.inject({ method: 'GET', url: path })).statusCode, 200, 'a GET only shows the button');
      assert.equal((await handoverState(handoverId)).acknowledgedBy, null);
      assert.equal((await app.inject({ method: 'POST', url: `${path.slice(0, -3)}xyz` })).statusCode, 404);
      assert.equal((await app.inject({ method: 'POST', url: path })).statusCode, 200);
      const done = (await env.client.workflow.getHandle(handoverId).result()) as HandoverState;
      assert.deepEqual([done.status, done.escalations, done.acknowledgedBy], ['acknowledged', 0, `ann-${team}@acme.test`]);
      assert.equal((await getHandover(tdb.db, handoverId))?.status, 'acknowledged');
      const metrics = await register.getSingleMetricAsString('handover_email_sent_total');
      assert.match(metrics, /handover_email_sent_total\{status="sent"\} [1-9]/);
    });
  });

  test('a score at the campaign threshold hands over at once; the sequence runs on and a later reply finds the handover already started', async () => {
    const team = uniqueName('dealer');
    await addSalesperson(tdb.db, { id: `${team}-d`, name: 'Di Rep', email: `di-${team}@acme.test`, managerEmail: null, team });
    await withWorker(async (taskQueue) => {
      const { leadId } = await submitLead(env.client, makeLeadInput({ source: team, handover: { scoreThreshold: 1 } }), { identity: testIdentity, taskQueue });
      started.push(leadId, handoverWorkflowId(leadId));
      const dossier = await dossierFor(leadId);
      assert.deepEqual(dossier.to, [`di-${team}@acme.test`]);
      for (let i = 0; i < 200 && (await queryLeadState(env.client, leadId)).stepsSent !== 1; i++) await new Promise((r) => setTimeout(r, 50));
      assert.equal((await queryLeadState(env.client, leadId)).stepsSent, 1, 'the first message still went out');
      await env.client.workflow.getHandle(handoverWorkflowId(leadId)).signal('acknowledge', { by: `di-${team}@acme.test` });
      assert.equal(((await env.client.workflow.getHandle(handoverWorkflowId(leadId)).result()) as HandoverState).status, 'acknowledged');
      await leadHandle(env.client, leadId).signal(replyReceivedSignal, {
        eventId: 'r1',
        channel: 'email',
        from: 'jane@example.com',
        text: 'Call me',
        receivedAt: new Date().toISOString(),
        intent: 'interested',
      });
      assert.equal((await leadHandle(env.client, leadId).result()).status, 'replied');
      const notes = (await queryLeadState(env.client, leadId)).timeline?.map((t) => t.type) ?? [];
      assert.ok(notes.includes('handover') && notes.includes('handover_already_started'), notes.join(','));
    });
  });

  test('no salesperson for the team: the handover is recorded as unassigned', async () => {
    await withWorker(async (taskQueue) => {
      const { handoverId } = await interestedLead(taskQueue, uniqueName('lonely'));
      const done = (await env.client.workflow.getHandle(handoverId).result()) as HandoverState;
      assert.equal(done.status, 'unassigned');
      assert.equal((await getHandover(tdb.db, handoverId))?.status, 'unassigned');
    });
  });
});
