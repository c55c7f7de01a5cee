// The alerts and the dashboard read only metrics the product exports. Runs the API (in process,
// on a socket like production) and a `leadflow worker` process with both of its metrics endpoints
// (the Temporal SDK's and the product's) against a dev server and PostgreSQL, takes an ADF lead
// and a bad document through them so the SDK has recorded its task latencies, scrapes the three
// endpoints, and fails naming any alert expression, dashboard query or documented SDK metric
// that none of them answers to. Then promtool checks the rules and runs their unit tests.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../api/app.js';
import { createLogger } from '../../config/logger.js';
import { createApiKey } from '../../db/index.js';
import { run } from '../../temporal/provision/exec.js';
import { ensurePromtool } from '../../temporal/provision/promtool.js';
import { createIngestor } from '../../intake/ingest.js';
import type { Client } from '@temporalio/client';
import { adfXml } from '../helpers/adf.js';
import { freePort, ROOT, spawnCli, waitForOutput } from '../helpers/cli.js';
import { TEST_LEAD_ID_SECRET } from '../helpers/codec.js';
import { eventually } from '../helpers/eventually.js';
import { dashboardQueries, exposedNames, promqlMetricNames, ruleExpressions } from '../helpers/metric-names.js';
import { TEMPORAL_SDK_METRICS } from '../helpers/sdk-metrics.js';
import { startDevStack, type DevStack } from '../helpers/stack.js';

const ALERTS = path.join(ROOT, 'deploy', 'prometheus', 'alerts.yml');
const ALERT_TESTS = path.join(ROOT, 'deploy', 'prometheus', 'alerts.test.yml');
const DASHBOARD = path.join(ROOT, 'deploy', 'grafana', 'leadflow.json');

async function scrape(url: string): Promise<string> {
  const res = await fetch(url);
  assert.equal(res.status, 200, `${url} answered ${res.status}`);
  return res.text();
}

describe('observability: alerts and dashboard against the exported metrics', () => {
  let stack: DevStack;
  let app: FastifyInstance;
  let worker: ChildProcess | undefined;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadflow-obs-'));
  const urls = { api: '', sdk: '', worker: '' };
  let exported = new Set<string>();
  let sdkText = '';

  before(async () => {
    stack = await startDevStack();
    const [apiPort, sdkPort, workerPort] = [await freePort(), await freePort(), await freePort()];
    worker = spawnCli(['worker'], {
      DATABASE_URL: stack.tdb.url,
      TEMPORAL_ADDRESS: stack.env.address,
      TEMPORAL_EMBEDDED: 'false',
      LEADFLOW_DATA_DIR: dataDir,
      MX_LOOKUP: 'off',
      LOG_LEVEL: 'info',
      TEMPORAL_SDK_METRICS_ADDRESS: `127.0.0.1:${sdkPort}`,
      WORKER_METRICS_ADDRESS: `127.0.0.1:${workerPort}`,
    });
    app = await buildApp({ leadIdSecret: TEST_LEAD_ID_SECRET, db: stack.tdb.db, temporal: stack.env.client, logger: createLogger('silent') });
    await app.listen({ host: '127.0.0.1', port: apiPort });
    urls.api = `http://127.0.0.1:${apiPort}/metrics`;
    urls.sdk = `http://127.0.0.1:${sdkPort}/metrics`;
    urls.worker = `http://127.0.0.1:${workerPort}/metrics`;
    await waitForOutput(worker, 'workers started', 60_000);

    // Traffic: a lead through the API (workflow and activity tasks on the worker) and a document that is no lead (quarantined).
    const { key } = await createApiKey(stack.tdb.db, 'obs', ['write']);
    const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/xml' };
    const base = `http://127.0.0.1:${apiPort}`;
    assert.equal((await fetch(`${base}/leads/adf`, { method: 'POST', headers, body: adfXml({ email: 'obs@example.com' }) })).status, 202);
    const bad = await fetch(`${base}/leads/adf`, { method: 'POST', headers, body: '<adf><prospect>' });
    assert.equal(bad.status, 422, 'the broken document is quarantined');
    // Histograms appear on the SDK's endpoint once a task has been recorded.
    await eventually('an activity task on the SDK endpoint', async () => /activity_schedule_to_start_latency/.test(await scrape(urls.sdk)), 30_000);
    sdkText = await scrape(urls.sdk);
    exported = new Set([...exposedNames(await scrape(urls.api)), ...exposedNames(sdkText), ...exposedNames(await scrape(urls.worker))]);
  });
  after(async () => {
    worker?.kill('SIGKILL');
    await app?.close();
    await stack?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test('the scrapes carry the product, process and SDK metrics the rules are written against', () => {
    for (const name of ['adf_leads_processed_total', 'http_request_duration_seconds_bucket', 'leadflow_inbox_health', 'leadflow_emergency_stop_active'])
      assert.ok(exported.has(name), `${name} is exported`);
    for (const name of TEMPORAL_SDK_METRICS) assert.ok(exported.has(name), `the documented SDK metric ${name} is on the worker's SDK endpoint`);
    // The queue-lag alerts compare with 1000: the SDK's histograms must be in milliseconds (a 1000 bucket, not 1).
    assert.match(sdkText, /^temporal_workflow_task_schedule_to_start_latency_bucket\{[^}]*le="1000"\}/m);
    assert.doesNotMatch(sdkText, /^temporal_workflow_task_schedule_to_start_latency_bucket\{[^}]*le="1"\}/m);
    assert.ok(exported.has('leadflow_quarantine_open') && exported.has('leadflow_campaign_leads'), 'the ops gauges are served');
  });

  test('an ingest that raises is counted as failed, what the LeadProcessingFailures alert reads', async () => {
    const failedNow = async () => Number(/^adf_leads_processed_total\{status="failed",source="cli"\} (\d+)/m.exec(await scrape(urls.api))?.[1] ?? 0);
    const before = await failedNow();
    // Temporal unreachable: the start of the lead workflow raises.
    const down = { workflow: { signalWithStart: () => Promise.reject(new Error('14 UNAVAILABLE: connection refused')) } } as unknown as Client;
    const ingest = createIngestor({ client: down, db: stack.tdb.db, log: createLogger('silent'), leadIdSecret: TEST_LEAD_ID_SECRET });
    const meta = { source: 'cli' as const, sourceRef: 'obs.xml', arrivalKey: 'obs-failed', receivedAt: new Date() };
    await assert.rejects(ingest(Buffer.from(adfXml()), meta), /UNAVAILABLE/);
    assert.equal(await failedNow(), before + 1);
  });

  test('every alert expression names only exported metrics', () => {
    const rules = ruleExpressions(ALERTS);
    assert.ok(rules.length >= 15, `found ${rules.length} alert expressions`);
    const missing = rules.flatMap(({ alert, expr }) =>
      promqlMetricNames(expr)
        .filter((n) => !exported.has(n))
        .map((n) => `${alert}: ${n}`),
    );
    assert.deepEqual(missing, []);
  });

  test('every dashboard query names only exported metrics', () => {
    const queries = dashboardQueries(DASHBOARD);
    assert.ok(queries.length >= 10, `found ${queries.length} dashboard queries`);
    const missing = queries.flatMap(({ where, expr }) =>
      promqlMetricNames(expr)
        .filter((n) => !exported.has(n))
        .map((n) => `${where}: ${n}`),
    );
    assert.deepEqual(missing, []);
  });

  test('promtool: the rules check, and their unit tests pass', async () => {
    const promtool = await ensurePromtool((m) => process.stderr.write(`[provision] ${m}\n`));
    const check = await run(promtool, ['check', 'rules', ALERTS]);
    assert.equal(check.code, 0, check.output);
    assert.match(check.output, /SUCCESS: \d+ rules found/);
    const unit = await run(promtool, ['test', 'rules', ALERT_TESTS]);
    assert.equal(unit.code, 0, unit.output);
    assert.match(unit.output, /SUCCESS/);
  });
});
