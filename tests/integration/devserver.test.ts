// The lead workflow and the API against the real Temporal CLI dev server (with visibility and
// our search attributes) and a real PostgreSQL.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { buildApp } from '../../api/app.js';
import { createLogger } from '../../config/logger.js';
import { loadConfig } from '../../config/index.js';
import { providerChecks } from '../../activities/health/providers.js';
import { freePort } from '../helpers/cli.js';
import { createDb, getLead } from '../../db/index.js';
import { leadHandle, stopLead, submitLead } from '../../temporal/lead-client.js';
import { makeLeadInput } from '../helpers/leads.js';
import { uniqueName } from '../helpers/temporal.js';
import { startPostgres } from '../helpers/postgres.js';
import { startDevStack, type DevStack } from '../helpers/stack.js';
import type { TestDb } from '../helpers/test-db.js';
import { testIdentity, TEST_LEAD_ID_SECRET } from '../helpers/codec.js';

describe('dev server: lead workflow, visibility and API', () => {
  let stack: DevStack;
  let env: TestWorkflowEnvironment;
  let tdb: TestDb;
  const taskQueue = uniqueName('leads');

  before(async () => {
    stack = await startDevStack({ leadWorker: { taskQueue } });
    ({ env, tdb } = stack);
  });
  after(async () => {
    await stack?.stop();
  });

  test('operators can find a waiting lead by its search attributes, then stop it', async () => {
    const input = makeLeadInput({ campaignId: 'spring-sale' });
    const { leadId } = await submitLead(env.client, input, { identity: testIdentity, taskQueue });
    const query = `WorkflowId = "${leadId}" AND LeadStatus = "waiting" AND CampaignId = "spring-sale" AND LeadSource = "test-dealer"`;
    let found = 0;
    for (let i = 0; i < 100 && found === 0; i++) {
      for await (const _ of env.client.workflow.list({ query })) found += 1;
      if (found === 0) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(found, 1, 'the visibility query the Web UI uses finds the lead');
    await stopLead(env.client, leadId, { reason: 'test', by: 'operator' });
    assert.equal((await leadHandle(env.client, leadId).result()).status, 'stopped');
    assert.equal((await getLead(tdb.db, leadId))?.status, 'stopped');
  });

  test('GET /health is 200 with DB and Temporal up; /metrics serves Prometheus text; unknown routes are problem+json', async () => {
    const app = await buildApp({ leadIdSecret: TEST_LEAD_ID_SECRET, db: tdb.db, temporal: env.client, logger: createLogger('silent') });
    try {
      const health = await app.inject({ method: 'GET', url: '/health' });
      assert.equal(health.statusCode, 200);
      const body = health.json<{ status: string; checks: Record<string, { ok: boolean }> }>();
      assert.equal(body.status, 'ok');
      assert.equal(body.checks.db?.ok, true);
      assert.equal(body.checks.temporal?.ok, true);

      const metrics = await app.inject({ method: 'GET', url: '/metrics' });
      assert.equal(metrics.statusCode, 200);
      assert.match(metrics.body, /^# HELP leadflow_process_cpu_user_seconds_total/m);
      assert.match(metrics.body, /http_request_duration_seconds_count\{method="GET",route="\/health",status="200"\} [1-9]/);

      const missing = await app.inject({ method: 'GET', url: '/nope' });
      assert.equal(missing.statusCode, 404);
      assert.equal(missing.headers['content-type'], 'application/problem+json; charset=utf-8');
      assert.equal(missing.json<{ status: number }>().status, 404);
    } finally {
      await app.close();
    }
  });

  test('GET /health is 503 naming the database when it goes down', async () => {
    const pg = await startPostgres();
    const live = await createDb({ databaseUrl: pg.url, dataDir: '/nonexistent' });
    const app = await buildApp({ leadIdSecret: TEST_LEAD_ID_SECRET, db: live.db, temporal: env.client, logger: createLogger('silent') });
    try {
      assert.equal((await app.inject({ method: 'GET', url: '/health' })).statusCode, 200);
      await pg.stop();
      const res = await app.inject({ method: 'GET', url: '/health' });
      assert.equal(res.statusCode, 503);
      const body = res.json<{ status: string; checks: Record<string, { ok: boolean; error?: string }> }>();
      assert.equal(body.status, 'degraded');
      assert.equal(body.checks.db?.ok, false);
      assert.ok(body.checks.db?.error);
      assert.equal(body.checks.temporal?.ok, true);
    } finally {
      await app.close();
      await live.close().catch(() => undefined);
      await pg.stop();
    }
  });

  test('/health includes each configured provider: a down one makes it 503 by name; answers are cached', async () => {
    const closed = await freePort();
    const config = loadConfig({ SMTP_HOST: '127.0.0.1', SMTP_PORT: String(closed), SENDER_EMAIL: 'sales@dealer.test' });
    let calls = 0;
    const providers = async () => {
      calls += 1;
      return Promise.all(providerChecks(config));
    };
    const app = await buildApp({
      leadIdSecret: TEST_LEAD_ID_SECRET,
      db: tdb.db,
      temporal: env.client,
      logger: createLogger('silent'),
      health: { providers, providerCacheMs: 60_000 },
    });
    try {
      const res = await app.inject({ method: 'GET', url: '/health' });
      assert.equal(res.statusCode, 503);
      const body = res.json<{ checks: Record<string, { ok: boolean; error?: string }> }>();
      assert.equal(body.checks.smtp?.ok, false);
      assert.match(body.checks.smtp?.error ?? '', /ECONNREFUSED/);
      assert.equal(body.checks.db?.ok, true);
      await app.inject({ method: 'GET', url: '/health' });
      assert.equal(calls, 1, 'the second /health reused the provider answers');
    } finally {
      await app.close();
    }
  });
});
