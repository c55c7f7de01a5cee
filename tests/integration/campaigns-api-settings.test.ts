// Campaign settings through the HTTP API on the dev server (lead worker, SendGrid stand-in, real
// PostgreSQL): PATCH /campaigns/:id reaches the steps not yet sent and guards concurrent edits
// with If-Match (412 stale, 400 malformed, 409 once the campaign has ended); skipActiveElsewhere
// skips a prospect who is an active lead of another campaign, and only while that lead is active;
// and the visibility query CampaignId = "<id>" lists exactly the campaign's leads.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eventually } from '../helpers/eventually.js';
import { campaignSpec, keyOf, prospectsCsv, startCampaignStack, subjectOf, type CampaignStack } from '../helpers/campaigns/harness.js';
import type { CampaignSpec } from '../../domain/campaigns/spec.js';
import { LEAD_TYPE_CLAUSE } from '../../workflows/lead/contract.js';

interface View {
  id: string;
  status: string;
  version: number;
  spec: CampaignSpec;
  totals: Record<string, number>;
  workflowId: string;
}

describe('campaign settings through the API (dev server, lead worker, SendGrid stand-in)', () => {
  let s: CampaignStack;
  before(async () => {
    s = await startCampaignStack({ pageSize: 10 });
  });
  after(async () => {
    await s?.stop();
  });

  const api: CampaignStack['api'] = (...args) => s.api(...args);
  const view = async (id: string) => (await api('GET', `/campaigns/${id}`)).json<View>();
  /** A campaign created, given prospects (a CSV body) and started. */
  const running = async (spec: CampaignSpec, csv: string): Promise<string> => {
    const created = await api('POST', '/campaigns', spec);
    assert.equal(created.statusCode, 201, created.body);
    const id = created.json<View>().id;
    const imported = await api('POST', `/campaigns/${id}/prospects`, csv, { 'content-type': 'text/csv' });
    assert.equal(imported.statusCode, 201, imported.body);
    assert.equal((await api('POST', `/campaigns/${id}/start`)).statusCode, 200);
    return id;
  };
  const prospects = (id: string) =>
    s.stack.tdb.db
      .selectFrom('campaign_prospects')
      .select(['email_norm', 'status', 'skip_reason', 'lead_id'])
      .where('campaign_id', '=', id)
      .orderBy('seq')
      .execute();
  const leadIdsOf = async (id: string) => (await prospects(id)).flatMap((p) => (p.lead_id !== null ? [p.lead_id] : []));
  const sentFor = (id: string, step: number) => async () => {
    const leads = await leadIdsOf(id);
    return s.sg.accepted.filter((m) => keyOf(m).endsWith(`:step:${step}`) && leads.some((l) => keyOf(m).startsWith(`${l}:`)));
  };

  test('PATCH reaches the steps not yet sent; If-Match guards it (412 stale, 400 malformed); 409 once the campaign has ended', async () => {
    const spec = campaignSpec({ name: 'Patched' });
    spec.steps[1]!.delay = '20 seconds';
    const id = await running(spec, prospectsCsv(3, { domain: 'patch.example.com' }));
    const before = await view(id);
    const step1 = await eventually('step 1 out to all 3', async () => ((await sentFor(id, 1)()).length >= 3 ? sentFor(id, 1)() : null), 60_000);

    const edited = structuredClone(before.spec.steps);
    edited[0]!.variants = [{ id: 'A', weight: 1, subject: 'Edited step 1', body: 'Too late for this one.' }];
    edited[1]!.variants = [{ id: 'F', weight: 1, subject: 'Edited follow-up for {{ firstName }}', body: 'New copy. {{ senderName }}' }];
    const patch = await api('PATCH', `/campaigns/${id}`, { steps: edited }, { 'if-match': `"${before.version}"` });
    assert.equal(patch.statusCode, 200, patch.body);
    assert.equal(patch.json<View>().version, before.version + 1);
    assert.equal(patch.headers.etag, `"${before.version + 1}"`);

    // The earlier version again: refused, and the edit stands.
    const stale = await api('PATCH', `/campaigns/${id}`, { name: 'Overwrite' }, { 'if-match': `"${before.version}"` });
    assert.equal(stale.statusCode, 412, stale.body);
    assert.match(stale.json<{ detail: string }>().detail, new RegExp(`is at version ${before.version + 1}, not ${before.version}`));
    const malformed = await api('PATCH', `/campaigns/${id}`, { name: 'Overwrite' }, { 'if-match': '"three"' });
    assert.equal(malformed.statusCode, 400, malformed.body);
    const invalid = await api('PATCH', `/campaigns/${id}`, { steps: [] }, { 'if-match': `"${before.version + 1}"` });
    assert.equal(invalid.statusCode, 400, invalid.body);
    assert.equal((await view(id)).version, before.version + 1, 'refused edits change nothing');

    const step2 = await eventually('step 2 out to all 3', async () => ((await sentFor(id, 2)()).length >= 3 ? sentFor(id, 2)() : null), 60_000);
    for (const m of step2) assert.match(subjectOf(m), /^Edited follow-up for Prospect\d$/, 'the step not yet sent has the edit');
    for (const m of step1) assert.doesNotMatch(subjectOf(m), /Edited/, 'what went out before the edit is as it was');
    const outbox = await s.stack.tdb.db.selectFrom('outbox').select(['step', 'subject']).where('campaign_id', '=', id).where('step', '=', 1).execute();
    assert.ok(
      outbox.every((r) => r.subject !== 'Edited step 1'),
      JSON.stringify(outbox),
    );

    await eventually('finished', async () => (await view(id)).status === 'finished', 60_000);
    const ended = await api('PATCH', `/campaigns/${id}`, { name: 'Too late' });
    assert.equal(ended.statusCode, 409, ended.body);
    assert.match(ended.json<{ detail: string }>().detail, /is finished: it can no longer be changed/);
    assert.equal((await api('PATCH', '/campaigns/camp_nope', { name: 'x' })).statusCode, 404);
  });

  test('skipActiveElsewhere: a prospect active in another campaign is skipped with the reason; off, or once that lead ended, it starts', async () => {
    // The first campaign's leads wait an hour for step 2: active all through the test.
    const first = campaignSpec({ name: 'First' });
    first.steps[1]!.delay = '1 hour';
    const firstId = await running(first, ['Email,First Name', 'shared@active.example.com,Sam', 'only-first@active.example.com,Fi'].join('\r\n'));
    await eventually(
      'the first campaign leads are active',
      async () => {
        const leads = await s.stack.tdb.db.selectFrom('leads').select('status').where('campaign_id', '=', firstId).execute();
        return leads.length === 2 && leads.every((l) => l.status === 'waiting');
      },
      60_000,
    );

    const skipping = await running(
      campaignSpec({ name: 'Skips', skipActiveElsewhere: true }),
      'Email,First Name\r\nSHARED@active.example.com,Sam\r\nnew@active.example.com,Nu\r\n',
    );
    const notSkipping = await running(
      campaignSpec({ name: 'Does not skip', skipActiveElsewhere: false }),
      'Email,First Name\r\nshared@active.example.com,Sam\r\n',
    );
    const settled = async (id: string) => (await prospects(id)).every((p) => p.status !== 'pending');
    await eventually('both campaigns fanned out', async () => (await settled(skipping)) && (await settled(notSkipping)), 60_000);

    assert.deepEqual(
      (await prospects(skipping)).map((p) => [p.email_norm, p.status, p.skip_reason]),
      [
        ['shared@active.example.com', 'skipped', 'active in another campaign'],
        ['new@active.example.com', 'started', null],
      ],
    );
    assert.deepEqual(
      (await prospects(notSkipping)).map((p) => [p.email_norm, p.status]),
      [['shared@active.example.com', 'started']],
    );
    await eventually('the skip is counted in the totals', async () => (await view(skipping)).totals.skipped === 1, 30_000);

    // Once every lead of the prospect's has ended (the campaigns cancelled), the same setting starts it.
    for (const id of [firstId, skipping, notSkipping]) assert.equal((await api('POST', `/campaigns/${id}/cancel`, { reason: 'test' })).statusCode, 200);
    for (const id of [firstId, skipping, notSkipping]) await eventually(`${id} cancelled`, async () => (await view(id)).status === 'cancelled', 60_000);
    const later = await running(campaignSpec({ name: 'Later', skipActiveElsewhere: true }), 'Email,First Name\r\nshared@active.example.com,Sam\r\n');
    await eventually('started after the other leads ended', async () => (await prospects(later))[0]?.status === 'started', 60_000);
    assert.equal((await api('POST', `/campaigns/${later}/cancel`, { reason: 'test' })).statusCode, 200);
  });

  test('the visibility query CampaignId = "<id>" lists exactly the campaign\'s leads (and its own workflow)', async () => {
    const other = await running(campaignSpec({ name: 'Other' }), prospectsCsv(2, { domain: 'other.example.com' }));
    const id = await running(campaignSpec({ name: 'Visible' }), prospectsCsv(4, { domain: 'visible.example.com' }));
    await eventually('every lead started', async () => (await leadIdsOf(id)).length === 4 && (await leadIdsOf(other)).length === 2, 60_000);
    const leads = (await leadIdsOf(id)).sort();
    const list = async (query: string) => {
      const out: Array<{ workflowId: string; type: string }> = [];
      for await (const w of s.stack.env.client.workflow.list({ query })) out.push({ workflowId: w.workflowId, type: w.type });
      return out;
    };
    // Visibility is eventually consistent: wait until it has caught up with every start.
    const found = await eventually(
      'visibility lists the leads',
      async () => {
        const ws = await list(`CampaignId = "${id}" AND ${LEAD_TYPE_CLAUSE}`);
        return ws.length >= leads.length ? ws : null;
      },
      30_000,
    );
    assert.deepEqual(found.map((w) => w.workflowId).sort(), leads);
    const all = await list(`CampaignId = "${id}"`);
    assert.deepEqual(all.map((w) => w.workflowId).sort(), [...leads, (await view(id)).workflowId].sort());
    for (const c of [id, other]) assert.equal((await api('POST', `/campaigns/${c}/cancel`, { reason: 'test' })).statusCode, 200);
  });
});
