// A campaign at scale, end to end on the dev server (the real lead worker sending through
// @sendgrid/mail to the stand-in, which counts every message it accepts): one CSV of
// LEADFLOW_CAMPAIGN_PROSPECTS rows with 2% mistakes (malformed e-mails, duplicates, short and long
// rows), each reported with its exact row and reason; the campaign started, paused when about half
// of step 1 is out (after the pause's answer only what the ledger had in flight reaches the
// provider, and nothing once that settles; the fan-out stops too), resumed, and finished. Counted
// at the stand-in: one lead per valid prospect, each (lead, step) accepted exactly once, none
// missing, step 1's subject the lead's own variant rendered for its prospect.
// Default 250 rows (about 1.5 minutes on an idle 2-core box); long mode by hand:
// LEADFLOW_CAMPAIGN_PROSPECTS=10000.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assignVariant } from '../../domain/campaigns/variants.js';
import { queryCampaignState } from '../../temporal/campaign-client.js';
import { eventually } from '../helpers/eventually.js';
import { campaignSpec, keyOf, startCampaignStack, subjectOf, type CampaignStack } from '../helpers/campaigns/harness.js';
import {
  acceptedByKey,
  campaignApi,
  exactlyOnce,
  firstSubject,
  passedTheGate,
  prospectRows,
  scaleCsv,
  startedCount,
  type Api,
} from '../helpers/campaigns/scale.js';

const ROWS = Number(process.env.LEADFLOW_CAMPAIGN_PROSPECTS ?? 250);
const STEPS = 2;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Long enough for every lead's campaign recheck (1 s here) and step 2's delay to come round several times. */
const SETTLE_MS = 6_000;

describe(`a campaign of ${ROWS} prospects (dev server, lead worker, SendGrid stand-in)`, () => {
  let s: CampaignStack;
  let api: Api;
  before(async () => {
    // Answers after 20–60 ms: sends are in flight when the pause lands.
    s = await startCampaignStack({ pageSize: 100, latencyMs: () => 20 + Math.random() * 40 });
    api = campaignApi(s.app, s.auth);
  });
  after(async () => {
    await s?.stop();
  });

  test(
    'import with exact row errors, pause mid step 1, resume: each (lead, step) once, the right first message, finished',
    { timeout: 20 * 60_000 },
    async () => {
      const t0 = Date.now();
      // A progress line every 15 s: a long-mode run by hand shows where it is.
      const progress = setInterval(
        () => process.stderr.write(`[campaign-scale] ${Math.round((Date.now() - t0) / 1000)} s: ${s.sg.accepted.length} accepted\n`),
        15_000,
      );
      after(() => clearInterval(progress));
      const spec = campaignSpec({ name: `Scale ${ROWS}` });
      const created = await api.call('POST', '/campaigns', spec);
      assert.equal(created.statusCode, 201, created.body);
      const id = created.json<{ id: string }>().id;

      const list = scaleCsv(ROWS, 'scale.example.com');
      const imported = await api.importCsv(id, list.csv);
      assert.equal(imported.statusCode, 201, imported.body);
      const report = imported.json<{ rows: number; accepted: number; invalid: Array<{ row: number; field: string; reason: string }> }>();
      assert.equal(report.rows, ROWS);
      assert.equal(report.accepted, list.valid.length);
      assert.deepEqual(report.invalid, list.invalid, 'every mistake reported with its row, field and reason');
      const importMs = Date.now() - t0;

      assert.equal((await api.call('POST', `/campaigns/${id}/start`)).statusCode, 200);
      const steps = (n: number) => s.sg.accepted.filter((m) => keyOf(m).endsWith(`:step:${n}`)).length;
      await eventually('half of step 1 accepted', async () => steps(1) >= list.valid.length / 2, 10 * 60_000);

      // The pause's answer comes once its commit holds every send gate of the campaign.
      const paused = await api.call('POST', `/campaigns/${id}/pause`, { reason: 'checking copy' });
      assert.equal(paused.statusCode, 200, paused.body);
      assert.equal(paused.json<{ acknowledged: boolean }>().acknowledged, true);
      const passedAtAck = await passedTheGate(s.stack.tdb.db, id);
      const acceptedAtAck = s.sg.accepted.length;
      await sleep(1_500);
      for (const m of s.sg.accepted) assert.ok(passedAtAck.has(keyOf(m)), `${keyOf(m)} reached the provider without being in flight at the pause's ack`);
      const settled = s.sg.accepted.length;
      // A fan-out page under way at the pause completes; the next one waits for the resume.
      await eventually('the fan-out holds', async () => {
        const run = await queryCampaignState(s.stack.env.client, id);
        return run.waiting !== null || run.phase !== 'fanout';
      });
      const startedSettled = await startedCount(s.stack.tdb.db, id);
      await sleep(SETTLE_MS);
      assert.equal(s.sg.accepted.length, settled, 'nothing reached the provider during the pause once the in-flight calls settled');
      assert.equal(await startedCount(s.stack.tdb.db, id), startedSettled, 'no lead started during the pause');
      assert.ok(settled < list.valid.length * STEPS, 'the pause landed mid-campaign');

      assert.equal((await api.call('POST', `/campaigns/${id}/resume`)).statusCode, 200);
      await eventually('the campaign finishes', async () => (await api.status(id)).status === 'finished', 15 * 60_000);
      await sleep(1_500); // a late duplicate would show up now

      // One lead per valid prospect, none for a refused row.
      const rows = await prospectRows(s.stack.tdb.db, id);
      assert.deepEqual(
        rows.map((r) => r.row_number),
        list.valid.map((p) => p.row),
      );
      assert.ok(
        rows.every((r) => r.status === 'started' && r.lead_id !== null),
        'every prospect started',
      );
      const leadIds = new Set(rows.map((r) => r.lead_id ?? ''));
      assert.equal(leadIds.size, list.valid.length, 'a lead workflow of its own for every prospect');

      // Counted at the stand-in: each (lead, step) exactly once, none missing, nothing else.
      const byKey = acceptedByKey(s.sg.accepted, leadIds);
      const { duplicates, missing } = exactlyOnce(byKey, leadIds, STEPS);
      assert.deepEqual(duplicates, [], 'no (lead, step) accepted twice');
      assert.deepEqual(missing, [], 'no (lead, step) missing');
      assert.equal(s.sg.accepted.length, list.valid.length * STEPS, 'nothing else was sent');

      // Step 1: to the prospect, with its own variant's subject rendered for it.
      const variants = spec.steps[0]!.variants;
      const arms = new Map<string, number>();
      for (const [i, r] of rows.entries()) {
        const p = list.valid[i]!;
        const m = byKey.get(`${r.lead_id}:step:1`)![0]!;
        const arm = assignVariant(r.lead_id!, 1, variants).id;
        arms.set(arm, (arms.get(arm) ?? 0) + 1);
        assert.equal(m.to, p.email, `row ${p.row}`);
        assert.equal(subjectOf(m), firstSubject(arm, p), `row ${p.row}`);
      }
      assert.equal(arms.size, 2, 'both arms used');

      const view = await api.status(id);
      assert.equal(view.totals.imported, list.valid.length);
      assert.equal(view.totals.started, list.valid.length);
      assert.equal(view.totals.finished, list.valid.length);
      assert.equal(view.totals.pending, 0);
      assert.equal(view.totals.sending, 0);
      process.stderr.write(
        `[campaign-scale] ${JSON.stringify({
          rows: ROWS,
          valid: list.valid.length,
          invalid: list.invalid.length,
          importMs,
          acceptedAtAck,
          inFlightAtAck: passedAtAck.size - acceptedAtAck,
          acceptedAfterAck: settled - acceptedAtAck,
          arms: Object.fromEntries(arms),
          seconds: Math.round((Date.now() - t0) / 1000),
        })}\n`,
      );
    },
  );
});
