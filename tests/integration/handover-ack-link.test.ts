// The handover acknowledgement link (api/routes/handover.ts) against a dev server and a lead
// worker: a link past its expiry (handovers.ack_expires_at, migration 0009; the created_at + TTL
// of a legacy signed link) is refused as a problem that says so, and a link followed again and
// again acknowledges once. Part of issue 11 (finding 6: give handover-ack tokens an expiry).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { buildApp } from '../../api/app.js';
import { createLogger } from '../../config/logger.js';
import { addSalesperson, getHandover, saveHandover, setHandoverAckToken, upsertLead } from '../../db/index.js';
import { ACK_LINK_TTL_MS, ackToken, signAckToken } from '../../domain/tokens/signed-token.js';
import { HANDOVER_WORKFLOW_TYPE, handoverStateQuery, handoverWorkflowId, type HandoverInput, type HandoverState } from '../../workflows/handover/contract.js';
import { TEST_LEAD_ID_SECRET } from '../helpers/codec.js';
import { eventually } from '../helpers/eventually.js';
import { startDevStack, type DevStack } from '../helpers/stack.js';
import { uniqueName } from '../helpers/temporal.js';

// The secret of testServices(): the API verifies the links the worker's activities sign.
const SECRET = 'local-test-secret-not-for-production';

describe('handover acknowledgement link: expiry and repeats', () => {
  const taskQueue = uniqueName('ack-link');
  let stack: DevStack;
  let app: FastifyInstance;

  before(async () => {
    stack = await startDevStack({ leadWorker: { taskQueue } });
    app = await buildApp({
      leadIdSecret: TEST_LEAD_ID_SECRET,
      db: stack.tdb.db,
      temporal: stack.env.client,
      logger: createLogger('silent'),
      unsubscribeSecret: SECRET,
    });
  });
  after(async () => {
    await app?.close();
    await stack?.stop();
  });

  /** A stored lead, its rep and an assigned handover row (no workflow): what an old e-mail's link points at. */
  async function storedHandover(): Promise<{ handoverId: string }> {
    const leadId = `lead:${uniqueName('ack').replace(/\W/g, '')}`;
    const rep = await addSalesperson(stack.tdb.db, {
      id: uniqueName('rep'),
      name: 'Ann Rep',
      email: `${uniqueName('ann')}@acme.test`,
      managerEmail: null,
      // A team of its own: a rep of no team would join the round-robin of the last test.
      team: uniqueName('stored'),
    });
    await upsertLead(stack.tdb.db, { id: leadId, source: 'ack-test', email: `${uniqueName('jane')}@example.com`, payload: {} });
    const handoverId = handoverWorkflowId(leadId);
    await saveHandover(stack.tdb.db, { id: handoverId, leadId, salespersonId: rep.id, status: 'assigned' });
    return { handoverId };
  }

  const link = (method: 'GET' | 'POST', token: string) => app.inject({ method, url: `/handover/ack/${token}` });
  async function refusedAsExpired(token: string, what: string): Promise<void> {
    for (const method of ['GET', 'POST'] as const) {
      const res = await link(method, token);
      assert.equal(res.statusCode, 404, `${what}, ${method}: ${res.body}`);
      assert.match(String(res.headers['content-type']), /^application\/problem\+json/, `${what}, ${method}`);
      const p = res.json<{ status: number; detail: string }>();
      assert.equal(p.status, 404);
      assert.match(p.detail, /expired/, `${what}, ${method}: the problem names expiry`);
    }
  }

  test('a link past ack_expires_at is refused as a problem naming expiry; the same link answered before it expired', async () => {
    const { handoverId } = await storedHandover();
    const token = ackToken(SECRET, handoverId);
    await setHandoverAckToken(stack.tdb.db, handoverId, token, new Date(Date.now() + 60_000));
    assert.equal((await link('GET', token)).statusCode, 200, 'valid while unexpired: the confirmation page');
    await setHandoverAckToken(stack.tdb.db, handoverId, token, new Date(Date.now() - 1_000));
    await refusedAsExpired(token, 'expired link token');
    assert.equal((await getHandover(stack.tdb.db, handoverId))?.acknowledged_at, null, 'nothing acknowledged');
  });

  test('a legacy signed link is refused once its handover is older than ACK_LINK_TTL_MS', async () => {
    const { handoverId } = await storedHandover();
    const token = signAckToken(SECRET, handoverId);
    assert.equal((await link('GET', token)).statusCode, 200, 'a fresh handover: the confirmation page');
    const aged = new Date(Date.now() - ACK_LINK_TTL_MS - 60_000);
    // created_at is written only by the database (no update type): aged by hand, as time would.
    await sql`update handovers set created_at = ${aged} where id = ${handoverId}`.execute(stack.tdb.db);
    await refusedAsExpired(token, 'expired legacy link');
  });

  test('the link followed again and again acknowledges once: one acknowledge signal, one acknowledgement recorded', async () => {
    const team = uniqueName('team');
    const repEmail = `${uniqueName('di')}@acme.test`;
    await addSalesperson(stack.tdb.db, { id: uniqueName('rep'), name: 'Di Rep', email: repEmail, managerEmail: null, team });
    const leadId = `lead:${uniqueName('ack').replace(/\W/g, '')}`;
    await upsertLead(stack.tdb.db, { id: leadId, source: team, email: `${uniqueName('jane')}@example.com`, first_name: 'Jane', payload: {} });
    const handoverId = handoverWorkflowId(leadId);
    const input: HandoverInput = { leadId, scope: team, reason: 'replied: interested', sla: '1 hour' };
    const handle = await stack.env.client.workflow.start(HANDOVER_WORKFLOW_TYPE, { taskQueue, workflowId: handoverId, args: [input] });
    // The dossier with the link went out: the rep can click.
    await eventually('the dossier e-mail', async () => (await handle.query(handoverStateQuery)).sentAt.length === 1);
    const token = (await getHandover(stack.tdb.db, handoverId))?.ack_token ?? '';
    assert.notEqual(token, '');

    const first = await link('POST', token);
    assert.equal(first.statusCode, 200, first.body);
    assert.match(first.body, /Acknowledged/);
    const done = (await handle.result()) as HandoverState;
    assert.deepEqual([done.status, done.acknowledgedBy, done.escalations, done.sentAt.length], ['acknowledged', repEmail, 0, 1]);
    const recorded = await getHandover(stack.tdb.db, handoverId);
    assert.equal(recorded?.acknowledged_by, repEmail);

    // A second click, a mail client retrying the POST: answered, and nothing acts again.
    for (let i = 0; i < 3; i++) {
      const again = await link('POST', token);
      assert.equal(again.statusCode, 200, again.body);
      assert.match(again.body, /already closed/);
    }
    const signals = (await handle.fetchHistory()).events?.filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'acknowledge') ?? [];
    assert.equal(signals.length, 1, 'one acknowledge signal in the history');
    const after = await getHandover(stack.tdb.db, handoverId);
    assert.deepEqual(
      [after?.status, after?.acknowledged_by, after?.acknowledged_at?.getTime()],
      ['acknowledged', repEmail, recorded?.acknowledged_at?.getTime()],
    );
  });
});
