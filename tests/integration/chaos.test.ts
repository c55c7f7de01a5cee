// Exactly-once under crashes: a batch of leads sends through the real `leadflow worker` process,
// which is SIGKILLed at random moments (mid provider call included: the SendGrid stand-in answers
// slowly) and restarted. Counted at the stand-in: every lead's first message arrives exactly once.
// A call whose answer died with the worker is proven by SendGrid's signed event webhook (through
// the real API) and recorded as sent, never sent again.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../api/app.js';
import { createLogger } from '../../config/logger.js';
import { listLeadEvents, listOutbox } from '../../db/index.js';
import { leadHandle, queryLeadState, submitLead } from '../../temporal/lead-client.js';
import { freePort } from '../../temporal/net.js';
import { spawnCli, waitForOutput } from '../helpers/cli.js';
import { makeLeadInput } from '../helpers/leads.js';
import { startSendGrid } from '../helpers/standins/sendgrid.js';
import { startDevStack, type DevStack } from '../helpers/stack.js';
import { testIdentity, TEST_LEAD_ID_SECRET } from '../helpers/codec.js';

const WAVE = 6;
const KILLS = 4;
const LEADS = WAVE * KILLS;

describe('chaos: SIGKILL the worker while leads send', () => {
  let stack: DevStack;
  let app: FastifyInstance;
  let sg: Awaited<ReturnType<typeof startSendGrid>>;
  let worker: ChildProcess | null = null;
  let dataDir: string;
  let workerEnv: Record<string, string>;

  before(async () => {
    const keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const publicKey = keys.publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
    const apiPort = await freePort();
    const apiUrl = `http://127.0.0.1:${apiPort}/`;
    dataDir = await mkdtemp(path.join(tmpdir(), 'leadflow-chaos-'));
    sg = await startSendGrid({
      apiKey: 'SG.chaos',
      latencyMs: () => 300 + Math.floor(Math.random() * 700),
      eventWebhook: { url: `${apiUrl}webhooks/sendgrid`, privateKey: keys.privateKey },
    });
    stack = await startDevStack();
    app = await buildApp({
      leadIdSecret: TEST_LEAD_ID_SECRET,
      db: stack.tdb.db,
      temporal: stack.env.client,
      logger: createLogger('silent'),
      webhooks: { sendgridPublicKey: publicKey, publicUrl: apiUrl },
    });
    await app.listen({ host: '127.0.0.1', port: apiPort });
    workerEnv = {
      DATABASE_URL: stack.tdb.url,
      TEMPORAL_ADDRESS: stack.env.address,
      TEMPORAL_EMBEDDED: 'false',
      LEADFLOW_DATA_DIR: dataDir,
      SENDGRID_API_KEY: 'SG.chaos',
      SENDGRID_BASE_URL: sg.url,
      SENDER_EMAIL: 'sales@chaos.test',
      API_PUBLIC_URL: apiUrl,
      UNSUBSCRIBE_SECRET: 'chaos-unsubscribe-secret-0123456789abcdef',
      MX_LOOKUP: 'off',
      LOG_LEVEL: 'info',
      // The worker trusts SendGrid's webhook: a killed call with no event after 15 s was never accepted.
      SENDGRID_WEBHOOK_PUBLIC_KEY: publicKey,
      SEND_EVIDENCE_WINDOW_SECONDS: '15',
    };
  });
  after(async () => {
    worker?.kill('SIGKILL');
    await app?.close();
    await stack?.stop();
    await sg?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  async function startWorker(): Promise<ChildProcess> {
    const child = spawnCli(['worker'], workerEnv);
    await waitForOutput(child, 'workers started', 60_000);
    return child;
  }
  const killed = (child: ChildProcess) =>
    new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });

  test(`${LEADS} leads, ${KILLS} SIGKILLs: zero duplicate and zero lost sends at the provider`, async () => {
    worker = await startWorker();
    const leadIds: string[] = [];
    for (let k = 0; k < KILLS; k++) {
      for (let i = 0; i < WAVE; i++) leadIds.push((await submitLead(stack.env.client, makeLeadInput(), { identity: testIdentity })).leadId);
      // Kill while SendGrid holds an accepted message's answer: the worst moment for exactly-once.
      for (let i = 0; i < 3000 && sg.answering() === 0; i++) await new Promise((r) => setTimeout(r, 10));
      assert.ok(sg.answering() > 0, 'a provider call was in flight at the kill');
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 100)));
      await killed(worker);
      worker = await startWorker();
    }

    // Calls lost with a worker are retried after their activity timeout and settled by evidence.
    const deadline = Date.now() + 240_000;
    const pending = new Set(leadIds);
    while (pending.size > 0 && Date.now() < deadline) {
      for (const id of [...pending]) if ((await queryLeadState(stack.env.client, id)).stepsSent === 1) pending.delete(id);
      if (pending.size > 0) await new Promise((r) => setTimeout(r, 500));
    }
    assert.deepEqual([...pending], [], 'every lead sent its first message (none lost)');

    const perKey = new Map<string, number>();
    for (const m of sg.accepted) {
      const key = (m.body.custom_args as Record<string, string> | undefined)?.idempotency_key ?? '?';
      perKey.set(key, (perKey.get(key) ?? 0) + 1);
    }
    const duplicates = [...perKey].filter(([, n]) => n > 1);
    assert.deepEqual(duplicates, [], 'no message reached the provider twice');
    assert.deepEqual([...perKey.keys()].sort(), leadIds.map((id) => `${id}:step:1`).sort(), 'exactly the first step of every lead reached the provider');

    const rows = (await Promise.all(leadIds.map((id) => listOutbox(stack.tdb.db, { leadId: id, limit: 5, offset: 0 })))).flat();
    assert.deepEqual(
      rows.map((r) => r.status).filter((s) => s !== 'sent'),
      [],
      'every ledger row is sent (none uncertain)',
    );
    // A `sent` event marked duplicate: the ledger answered from its row (or from the webhook's evidence) instead of calling again.
    const settledWithoutCall = (await Promise.all(leadIds.map((id) => listLeadEvents(stack.tdb.db, id))))
      .flat()
      .filter((e) => e.type === 'sent' && e.detail.duplicate === true).length;
    const resent = rows.filter((r) => r.attempts > 1).length;
    process.stderr.write(
      `[chaos] ${LEADS} leads, ${KILLS} kills, ${sg.accepted.length} provider calls, ${settledWithoutCall} sends settled after a crash without calling again, ${resent} sent again after no provider event (never accepted)\n`,
    );
    assert.ok(settledWithoutCall >= KILLS, 'each kill cut at least one call whose outcome was then recovered from the webhook');

    await Promise.all(leadIds.map((id) => leadHandle(stack.env.client, id).terminate('chaos test done')));
  });
});
