// Campaigns end to end on the dev server: defined and validated through the API, prospects
// imported as CSV (per-row errors, idempotent), started, A/B assigned, paused mid-sequence
// (nothing goes out while paused), resumed (each due message once), finished when every lead has;
// and a cancel that ends the leads visibly. Counted at the SendGrid stand-in.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { queryLeadState } from '../../temporal/lead-client.js';
import { eventually } from '../helpers/eventually.js';
import { campaignSpec, keyOf, prospectsCsv, startCampaignStack, subjectOf, type CampaignStack } from '../helpers/campaigns/harness.js';

const N = 40;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('campaigns through the API (dev server, lead worker, SendGrid stand-in)', () => {
  let s: CampaignStack;
  before(async () => {
    s = await startCampaignStack({ pageSize: 15 });
  });
  after(async () => {
    await s?.stop();
  });

  const api: CampaignStack['api'] = (...args) => s.api(...args);
  const importCsv = (id: string, csv: string, query = '', headers: Record<string, string> = {}) =>
    api('POST', `/campaigns/${id}/prospects${query}`, csv, { 'content-type': 'text/csv; charset=utf-8', ...headers });

  test('a campaign is validated whole: a 400 names every problem', async () => {
    const bad = campaignSpec({ inboxes: ['no-such-inbox'] });
    bad.steps[0]!.variants[0]!.body = 'Hi {{ frstName }}';
    const res = await api('POST', '/campaigns', { ...bad, colour: 'blue' });
    assert.equal(res.statusCode, 400, res.body);
    assert.match(String(res.headers['content-type']), /problem\+json/);
    const fields = res.json<{ errors: Array<{ field: string; message: string }> }>().errors.map((e) => `${e.field} ${e.message}`);
    assert.ok(
      fields.some((f) => /inboxes/.test(f) && /no-such-inbox/.test(f)),
      fields.join('\n'),
    );
    assert.ok(
      fields.some((f) => /frstName/.test(f)),
      fields.join('\n'),
    );
    assert.ok(
      fields.some((f) => /colour/.test(f)),
      fields.join('\n'),
    );
  });

  test('import, start, A/B, pause, resume, finish: every prospect gets each step once', async () => {
    const created = await api('POST', '/campaigns', campaignSpec());
    assert.equal(created.statusCode, 201, created.body);
    const id = created.json<{ id: string }>().id;

    // Two invalid rows come back with their spreadsheet row numbers; the rest are accepted.
    const csv = prospectsCsv(N, { extraRows: ['not-an-email,Bad,Co,plan-1', `P1@fleet.example.com,Again,Co,plan-2`] });
    const first = await importCsv(id, csv);
    assert.equal(first.statusCode, 201, first.body);
    const report = first.json<{ importId: string; rows: number; accepted: number; invalid: Array<{ row: number; field: string; reason: string }> }>();
    assert.equal(report.rows, N + 2);
    assert.equal(report.accepted, N);
    assert.deepEqual(
      report.invalid.map((p) => [p.row, p.field]),
      [
        [N + 2, 'email'],
        [N + 3, 'email'],
      ],
    );
    assert.match(report.invalid[1]!.reason, /row 2/);
    // The same file again is the same import: nobody is added twice.
    const again = await importCsv(id, csv);
    assert.equal(again.statusCode, 200);
    assert.equal(again.json<{ importId: string }>().importId, report.importId);
    // A dry run reports and stores nothing.
    const dry = await importCsv(id, prospectsCsv(3, { domain: 'dry.example.com' }), '?dryRun=true');
    assert.equal(dry.json<{ accepted: number; dryRun: boolean }>().accepted, 3);
    const { n } = await s.stack.tdb.db
      .selectFrom('campaign_prospects')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('campaign_id', '=', id)
      .executeTakeFirstOrThrow();
    assert.equal(Number(n), N);

    const started = await api('POST', `/campaigns/${id}/start`);
    assert.equal(started.statusCode, 200, started.body);
    await eventually('step 1 accepted for every prospect', async () => s.sg.accepted.filter((m) => keyOf(m).endsWith(':step:1')).length >= N, 120_000);

    // Pause before step 2 comes due. After the answer only what the ledger already had in flight
    // may still reach the provider (it passed the gate before the pause committed); nothing else.
    const paused = await api('POST', `/campaigns/${id}/pause`, { reason: 'checking copy' });
    assert.equal(paused.statusCode, 200, paused.body);
    assert.equal(paused.json<{ acknowledged: boolean }>().acknowledged, true);
    const passed = new Set(
      (
        await s.stack.tdb.db
          .selectFrom('outbox')
          .select('idempotency_key')
          .where('campaign_id', '=', id)
          .where((eb) => eb.or([eb('in_flight', '=', true), eb('status', '=', 'sent')]))
          .execute()
      ).map((r) => r.idempotency_key),
    );
    await sleep(7_000);
    const mineSoFar = s.sg.accepted.filter((m) => keyOf(m).includes(':step:'));
    for (const m of mineSoFar) if (keyOf(m).endsWith(':step:2')) assert.ok(passed.has(keyOf(m)), `${keyOf(m)} went out while paused`);
    const duringPause = s.sg.accepted.length;
    await sleep(2_000);
    assert.equal(s.sg.accepted.length, duringPause, 'nothing reaches the provider while paused');
    const leadIds = (await s.stack.tdb.db.selectFrom('campaign_prospects').select('lead_id').where('campaign_id', '=', id).execute()).map(
      (r) => r.lead_id ?? '',
    );
    // Every lead whose step 2 had not passed the gate waits visibly, naming the pause.
    const held = leadIds.filter((l) => !passed.has(`${l}:step:2`));
    assert.ok(held.length > 0, 'the pause landed before step 2 went out');
    for (const l of held) {
      const state = await queryLeadState(s.stack.env.client, l);
      assert.equal(state.status, 'waiting_for_slot', l);
      assert.match(state.slotWait ?? '', /paused/);
    }

    assert.equal((await api('POST', `/campaigns/${id}/resume`)).statusCode, 200);
    await eventually('step 2 accepted for every prospect', async () => s.sg.accepted.filter((m) => keyOf(m).endsWith(':step:2')).length >= N, 120_000);
    await eventually(
      'the campaign finishes once every lead has',
      async () => (await api('GET', `/campaigns/${id}`)).json<{ status: string }>().status === 'finished',
      120_000,
    );

    // Counted at the receiving server: each (lead, step) exactly once, none missing.
    const mine = s.sg.accepted.filter((m) => leadIds.some((l) => keyOf(m).startsWith(`${l}:`)));
    const keys = mine.map(keyOf);
    assert.equal(new Set(keys).size, keys.length, 'no message accepted twice');
    assert.equal(keys.length, N * 2);
    for (const l of leadIds) for (const step of [1, 2]) assert.ok(keys.includes(`${l}:step:${step}`), `${l} step ${step} missing`);

    // A/B: both arms used, each message's subject is its variant's, and the outbox says which.
    const rows = await s.stack.tdb.db.selectFrom('outbox').select(['idempotency_key', 'variant', 'subject', 'step']).where('campaign_id', '=', id).execute();
    const arms = rows.filter((r) => r.step === 1).map((r) => r.variant);
    assert.ok(arms.includes('A') && arms.includes('B'), `variants used: ${[...new Set(arms)].join(',')}`);
    for (const r of rows) if (r.step === 1) assert.ok(r.subject?.startsWith(`${r.variant}:`), `${r.idempotency_key}: ${r.subject}`);
    for (const m of mine) if (keyOf(m).endsWith(':step:1')) assert.doesNotMatch(subjectOf(m), /\{\{|\}\}/);

    const view = (await api('GET', `/campaigns/${id}`)).json<{ totals: Record<string, number> }>();
    assert.equal(view.totals.started, N);
    assert.equal(view.totals.finished, N);
    assert.equal(view.totals.sending, 0);
    const stats = (await api('GET', `/campaigns/${id}/stats`)).json<{ steps: Array<{ step: number; variants: Array<{ id: string; sent: number }> }> }>();
    assert.equal(
      stats.steps[0]!.variants.reduce((sum, v) => sum + v.sent, 0),
      N,
    );
  });

  test('cancel ends the leads that have not replied, visibly, and the campaign ends cancelled', async () => {
    const spec = campaignSpec({ name: 'To be cancelled' });
    spec.steps[1]!.delay = '1 hour';
    const id = (await api('POST', '/campaigns', spec)).json<{ id: string }>().id;
    assert.equal((await importCsv(id, prospectsCsv(12, { domain: 'cancel.example.com' }))).statusCode, 201);
    assert.equal((await api('POST', `/campaigns/${id}/start`)).statusCode, 200);
    await eventually(
      'step 1 out to all 12',
      async () => {
        const sent = await s.stack.tdb.db.selectFrom('outbox').select('idempotency_key').where('campaign_id', '=', id).where('status', '=', 'sent').execute();
        return sent.length >= 12;
      },
      120_000,
    );
    const res = await api('POST', `/campaigns/${id}/cancel`, { reason: 'offer withdrawn' });
    assert.equal(res.statusCode, 200, res.body);
    await eventually('cancelled', async () => (await api('GET', `/campaigns/${id}`)).json<{ status: string }>().status === 'cancelled', 120_000);
    const leads = await s.stack.tdb.db.selectFrom('leads').select(['status']).where('campaign_id', '=', id).execute();
    assert.equal(leads.length, 12);
    assert.ok(leads.every((l) => l.status === 'stopped'));
    const again = await api('POST', `/campaigns/${id}/resume`);
    assert.equal(again.statusCode, 409);
  });
});
