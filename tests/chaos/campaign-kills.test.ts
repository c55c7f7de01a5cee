// Chaos: a campaign's worker is SIGKILLed during the fan-out and again while its leads send. The
// API runs here (its campaign workflow on the worker's own queue); the real `leadflow worker`
// process runs the campaign workflow, its fan-out pages and every lead, sending through SendGrid
// to the stand-in. A kill mid-page reruns the page (fixed lead IDs: the leads it had started are
// found started); a kill mid-send leaves the call in flight, settled from the webhook, never
// called again. Afterwards: one lead per valid prospect, each (lead, step) accepted exactly once
// at the stand-in, none missing, the campaign finished with consistent totals.
// Short mode (npm test): 90 rows, 2 kills in the fan-out and 2 while sending, about 2 minutes;
// LEADFLOW_CHAOS=long: 3,000 rows, 8 + 12 kills.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildApp } from '../../api/app.js';
import { createLogger } from '../../config/logger.js';
import { createApiKey } from '../../db/index.js';
import { TEST_LEAD_ID_SECRET } from '../helpers/codec.js';
import { campaignSpec } from '../helpers/campaigns/harness.js';
import { acceptedByKey, campaignApi, exactlyOnce, prospectRows, scaleCsv, startedCount } from '../helpers/campaigns/scale.js';
import { killRepeatedly } from '../helpers/chaos/kills.js';
import { byMode, MODE, printSummary, sampleMemory, sleep } from '../helpers/chaos/report.js';
import { assertCleanRun, baseline, chaosSeed, memoryFigures, rejectionFigures, useChaosWorld } from '../helpers/chaos/scenario.js';
import { eventually } from '../helpers/eventually.js';

const { seed: SEED, between } = chaosSeed();
const CFG = byMode(
  { rows: 90, fanoutKills: 2, sendKills: 2, gapMs: [1_500, 3_000] as const, deadMs: [0, 1_000] as const },
  { rows: 3_000, fanoutKills: 8, sendKills: 12, gapMs: [3_000, 10_000] as const, deadMs: [0, 3_000] as const },
);
const STEPS = 2;

describe(`chaos (${MODE}): worker SIGKILLs during a ${CFG.rows}-prospect campaign's fan-out and sending`, () => {
  const world = useChaosWorld({ sendgridLatencyMs: () => 50 + Math.floor(Math.random() * 150) });

  test('every valid prospect started once, each (lead, step) accepted once, the campaign finished', { timeout: byMode(20, 90) * 60_000 }, async () => {
    const { w } = world;
    const t0 = Date.now();
    const base = await baseline(w);
    // The campaign workflow goes to the worker's default queue; small pages so a kill finds one under way.
    const app = await buildApp({
      db: w.db,
      temporal: w.temporal.client,
      leadIdSecret: TEST_LEAD_ID_SECRET,
      logger: createLogger('silent', 'api'),
      // Pages of 10: the fan-out lasts long enough for its kills to land in it on a fast machine.
      campaigns: { workflow: { pageSize: 10, pollMs: 1_000, stepsPerRun: 10 } },
    });
    try {
      const auth = { authorization: `Bearer ${(await createApiKey(w.db, 'chaos-campaigns', ['read', 'write'])).key}` };
      const api = campaignApi(app, auth);
      const spec = campaignSpec({ name: 'Chaos campaign' });
      spec.steps[1]!.delay = '5 seconds';
      const id = (await api.call('POST', '/campaigns', spec)).json<{ id: string }>().id;
      const list = scaleCsv(CFG.rows, 'chaos-campaign.example.com');
      const imported = await api.importCsv(id, list.csv);
      assert.equal(imported.statusCode, 201, imported.body);
      assert.equal((await api.call('POST', `/campaigns/${id}/start`)).statusCode, 200);

      // Kills while pages start leads, then while the leads' sends are at the provider.
      const plan = (kills: number) => ({ kills, gapMs: CFG.gapMs, deadMs: CFG.deadMs });
      // The first kill as soon as a page has landed, so it strikes mid fan-out however fast the
      // machine (a random gap first let an idle machine finish the fan-out before any kill).
      for (const until = Date.now() + 120_000; (await startedCount(w.db, id)) === 0; await sleep(10))
        if (Date.now() > until) throw new Error('no fan-out page landed within 2 minutes');
      await w.worker.kill();
      const startedAtFirstKill = await startedCount(w.db, id);
      await sleep(between(CFG.deadMs));
      await w.worker.start();
      await killRepeatedly(w.worker, plan(CFG.fanoutKills - 1), between, () => false);
      const startedAtFanoutKills = await startedCount(w.db, id);
      await eventually('some of step 1 accepted', async () => w.sendgrid.accepted.length > 0, 120_000);
      const killsMidCall = await killRepeatedly(w.worker, plan(CFG.sendKills), between, () => w.sendgrid.answering() > 0);
      const acceptedAtSendKills = w.sendgrid.accepted.length;

      await eventually('the campaign finishes', async () => (await api.status(id)).status === 'finished', byMode(15, 60) * 60_000).catch((err: Error) => {
        throw new Error(`${err.message}; accepted ${w.sendgrid.accepted.length}\nworker:\n${w.worker.tail(10).slice(0, 3000)}`);
      });
      await sleep(2_000); // a late duplicate would show up now

      const rows = await prospectRows(w.db, id);
      const leadIds = new Set(rows.map((r) => r.lead_id ?? ''));
      const byKey = acceptedByKey(w.sendgrid.accepted, leadIds);
      const { duplicates, missing } = exactlyOnce(byKey, leadIds, STEPS);
      const view = await api.status(id);
      const memEnd = await sampleMemory();
      printSummary({
        scenario: 'campaign-kills',
        seed: SEED,
        rows: CFG.rows,
        valid: list.valid.length,
        kills: w.worker.kills,
        killsWithSendGridAnswerPending: killsMidCall,
        startedAtFirstKill,
        startedAtFanoutKills,
        acceptedAtSendKills,
        accepted: w.sendgrid.accepted.length,
        duplicates: duplicates.length,
        missing: missing.length,
        totals: view.totals,
        unhandledRejections: rejectionFigures(world),
        memory: memoryFigures(base, memEnd, w),
        seconds: Math.round((Date.now() - t0) / 1000),
      });

      assert.equal(w.worker.kills, CFG.fanoutKills + CFG.sendKills, 'every planned SIGKILL happened');
      assert.ok(startedAtFirstKill < list.valid.length, 'the first fan-out kill struck before every lead had started');
      assert.ok(acceptedAtSendKills < list.valid.length * STEPS, 'the send kills struck before every message had gone');
      assert.deepEqual(
        rows.map((r) => [r.row_number, r.status]),
        list.valid.map((p) => [p.row, 'started']),
        'every valid prospect started, no refused row',
      );
      assert.equal(leadIds.size, list.valid.length, 'a lead of its own for every prospect');
      assert.deepEqual(duplicates, [], 'no (lead, step) accepted twice');
      assert.deepEqual(missing, [], 'no (lead, step) missing');
      assert.equal(w.sendgrid.accepted.length, list.valid.length * STEPS, 'nothing else was sent');
      assert.equal(view.totals.started, list.valid.length);
      assert.equal(view.totals.finished, list.valid.length);
      assert.equal(view.totals.pending, 0);
      assert.equal(view.totals.sending, 0);
      assertCleanRun(world, base, memEnd);
    } finally {
      await app.close();
    }
  });
});
