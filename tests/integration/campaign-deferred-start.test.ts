// Deferred campaign leads on the dev server: a prospect whose first step is due later is started
// with a start delay (one event, no workflow task, until the step is due). Its clock starts at the
// fan-out, not at its late start, so the first message goes out once, on time, not a delay later.
// Until it runs the lead is stored as 'scheduled': the lead view answers, an operator's stop (API
// or CLI) and a campaign cancel wake it and end it now (stored, not enriched) instead of when its
// step comes due, and a pause wakes it to show it paused.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { getCampaign, getCampaignProspectByLead, listLeadEvents, type CampaignProspectRow } from '../../db/index.js';
import type { CampaignSpec } from '../../domain/campaigns/spec.js';
import { startedProspectInput } from '../../temporal/campaign-lead-input.js';
import { stopCampaignLead } from '../../temporal/campaign-leads.js';
import { campaignSpec, keyOf, prospectsCsv, startCampaignStack, type CampaignStack } from '../helpers/campaigns/harness.js';
import { startedCount } from '../helpers/campaigns/scale.js';
import { runCli } from '../helpers/cli.js';
import { TEST_LEAD_ID_SECRET, TEST_PAYLOAD_KEYS } from '../helpers/codec.js';
import { eventually } from '../helpers/eventually.js';

const FIRST_STEP_MS = 6_000;

describe('deferred campaign leads (dev server, lead worker, SendGrid stand-in)', () => {
  let s: CampaignStack;
  before(async () => {
    // A first step 2 s or more away defers the start (production: a minute), so the test waits seconds.
    s = await startCampaignStack({ pageSize: 10, deferStartMinMs: 2_000 });
  });
  after(async () => {
    await s?.stop();
  });

  const db = () => s.stack.tdb.db;
  async function startCampaign(name: string, firstDelay: string, n: number, domain: string): Promise<{ id: string; prospects: CampaignProspectRow[] }> {
    const spec = campaignSpec({ name });
    spec.steps[0]!.delay = firstDelay;
    spec.steps[1]!.delay = '1 hour';
    const id = (await s.api('POST', '/campaigns', spec)).json<{ id: string }>().id;
    const imported = await s.api('POST', `/campaigns/${id}/prospects`, prospectsCsv(n, { domain }), { 'content-type': 'text/csv' });
    assert.equal(imported.statusCode, 201, imported.body);
    assert.equal((await s.api('POST', `/campaigns/${id}/start`)).statusCode, 200);
    await eventually(`all ${n} started`, async () => (await startedCount(db(), id)) === n, 60_000);
    return { id, prospects: await db().selectFrom('campaign_prospects').selectAll().where('campaign_id', '=', id).execute() };
  }

  test('the start is deferred, and the first step goes out once, one delay after the fan-out', async () => {
    const n = 8;
    const { prospects } = await startCampaign('Deferred, due in seconds', '6 seconds', n, 'soon.example.com');
    const ids = prospects.map((p) => p.lead_id ?? '');
    // The server holds each lead's first workflow task back by what is left of the first step.
    const first = (await s.stack.env.client.workflow.getHandle(ids[0]!).fetchHistory()).events?.[0];
    const backoff = first?.workflowExecutionStartedEventAttributes?.firstWorkflowTaskBackoff;
    assert.ok(Number(backoff?.seconds ?? 0) >= 2, `first workflow task held back ${JSON.stringify(backoff)}`);
    // Stored at the fan-out, before the workflow ran: the row and its 'scheduled' event.
    for (const id of ids)
      assert.ok(
        (await listLeadEvents(db(), id)).some((e) => e.type === 'scheduled'),
        id,
      );

    await eventually('step 1 accepted for every prospect', async () => ids.every((l) => s.sg.accepted.some((m) => keyOf(m) === `${l}:step:1`)), 60_000);
    for (const p of prospects) {
      const sent = s.sg.accepted.filter((m) => keyOf(m) === `${p.lead_id}:step:1`);
      assert.equal(sent.length, 1, `${p.lead_id}: step 1 accepted ${sent.length} times`);
      const after = sent[0]!.at - p.started_at!.getTime();
      // On time: not before the step, and well before a second delay (a clock restarted at the late start).
      assert.ok(after >= FIRST_STEP_MS - 1_000, `${p.lead_id} sent ${after} ms after the fan-out`);
      assert.ok(after < 2 * FIRST_STEP_MS, `${p.lead_id} sent ${after} ms after the fan-out: the delay counted twice`);
    }
    const leads = await db().selectFrom('leads').select('status').where('id', 'in', ids).execute();
    assert.ok(
      leads.every((l) => l.status !== 'scheduled'),
      leads.map((l) => l.status).join(','),
    );
  });

  test('a lead still deferred is visible, and a stop or a cancel ends it now', async () => {
    const n = 6;
    const { id, prospects } = await startCampaign('Deferred, due in an hour', '1 hour', n, 'later.example.com');
    const ids = prospects.map((p) => p.lead_id ?? '');
    const leads = await db().selectFrom('leads').select(['id', 'status']).where('id', 'in', ids).execute();
    assert.deepEqual(
      leads.map((l) => l.status),
      Array<string>(n).fill('scheduled'),
    );

    const view = await s.api('GET', `/leads/${ids[0]}`);
    assert.equal(view.statusCode, 200, view.body);
    const detail = view.json<{
      lead: { status: string };
      state: unknown;
      stateError: string;
      timeline: Array<{ type: string; detail: { startsAt?: string } }>;
    }>();
    assert.equal(detail.lead.status, 'scheduled');
    assert.equal(detail.state, null);
    assert.match(detail.stateError, /first step is due/);
    const startsAt = Date.parse(detail.timeline.find((e) => e.type === 'scheduled')?.detail.startsAt ?? '');
    assert.ok(startsAt - prospects[0]!.started_at!.getTime() === 3_600_000, `scheduled for ${new Date(startsAt).toISOString()}`);

    const statusOf = async (leadId: string) => (await db().selectFrom('leads').select('status').where('id', '=', leadId).executeTakeFirst())?.status;
    // An operator's stop wakes the deferred workflow: stopped in seconds, not in an hour.
    const stop = await s.api('POST', `/leads/${ids[0]}/stop`, { reason: 'asked not to be contacted' });
    assert.equal(stop.statusCode, 202, stop.body);
    await eventually('the stopped lead ends', async () => (await statusOf(ids[0]!)) === 'stopped', 30_000);

    // So does the CLI's (`leadflow leads stop`, a subprocess on the same server and database).
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadflow-deferred-'));
    const cliEnv = () => ({
      DATABASE_URL: s.stack.tdb.url,
      TEMPORAL_ADDRESS: s.stack.env.address,
      TEMPORAL_EMBEDDED: 'false',
      LEADFLOW_DATA_DIR: dataDir,
      PAYLOAD_ENCRYPTION_KEYS: TEST_PAYLOAD_KEYS,
      LEAD_ID_SECRET: TEST_LEAD_ID_SECRET,
    });
    const cli = await runCli(['leads', 'stop', ids[1]!, '--reason', 'wrong list'], cliEnv());
    assert.equal(cli.code, 0, cli.stdout + cli.stderr);
    assert.match(cli.stdout, /stop sent/);
    await eventually('the CLI-stopped lead ends', async () => (await statusOf(ids[1]!)) === 'stopped', 30_000);

    // A pause wakes it too (API and CLI): shown paused now, with a live state, not 'scheduled' for an hour.
    assert.equal((await s.api('POST', `/leads/${ids[2]}/pause`, { reason: 'customer on holiday' })).statusCode, 202);
    const cliPause = await runCli(['leads', 'pause', ids[3]!, '--reason', 'checking the list'], cliEnv());
    assert.equal(cliPause.code, 0, cliPause.stdout + cliPause.stderr);
    assert.match(cliPause.stdout, /pause sent/);
    fs.rmSync(dataDir, { recursive: true, force: true });
    for (const leadId of [ids[2]!, ids[3]!]) await eventually(`${leadId} paused`, async () => (await statusOf(leadId)) === 'paused', 30_000);
    const paused = (await s.api('GET', `/leads/${ids[2]}`)).json<{ state: { status: string } | null }>();
    assert.equal(paused.state?.status, 'paused');

    // The campaign's cancel reaches the other four (two of them paused) the same way, and the campaign ends.
    assert.equal((await s.api('POST', `/campaigns/${id}/cancel`, { reason: 'offer withdrawn' })).statusCode, 200);
    await eventually('cancelled', async () => (await s.api('GET', `/campaigns/${id}`)).json<{ status: string }>().status === 'cancelled', 60_000);
    const ended = await db().selectFrom('leads').select('status').where('id', 'in', ids).execute();
    assert.deepEqual(
      ended.map((l) => l.status),
      Array<string>(n).fill('stopped'),
    );
    assert.equal(s.sg.accepted.filter((m) => ids.some((l) => keyOf(m).startsWith(`${l}:`))).length, 0, 'nothing was sent');
    // A lead the stop woke ends once stored: no enrichment (an MX lookup, a paid verifier's call)
    // and no score for a lead being ended. The two paused first ran both before they waited.
    const typesOf = async (leadId: string) => (await listLeadEvents(db(), leadId)).map((e) => e.type);
    for (const leadId of [ids[0]!, ids[1]!, ids[4]!, ids[5]!]) {
      const types = await typesOf(leadId);
      assert.ok(!types.includes('enriched') && !types.includes('scored'), `${leadId}: ${types.join(',')}`);
      assert.ok(types.includes('status'), `${leadId}: its stop recorded: ${types.join(',')}`);
    }
    for (const leadId of [ids[2]!, ids[3]!]) assert.ok((await typesOf(leadId)).includes('enriched'), leadId);

    // Once a lead has ended, the wake-up stop starts nothing: REJECT_DUPLICATE refuses the closed ID.
    const campaign = (await getCampaign(db(), id))!;
    const p = (await getCampaignProspectByLead(db(), id, ids[0]!))!;
    const input = startedProspectInput(id, campaign.spec as unknown as CampaignSpec, p);
    assert.equal(await stopCampaignLead(s.stack.env.client, input, { leadId: ids[0]!, taskQueue: s.taskQueue, stop: { reason: 'again', by: 'test' } }), false);
    assert.equal((await s.stack.env.client.workflow.getHandle(ids[0]!).describe()).status.name, 'COMPLETED', 'no new run was started');
    assert.equal((await s.api('POST', `/leads/${ids[0]}/stop`, { reason: 'again' })).statusCode, 404);
  });
});
