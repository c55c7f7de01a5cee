// The drafting activity for campaign leads, on a real PostgreSQL: the campaign's current step and
// the lead's A/B variant rendered with the prospect's columns (verbatim without a prompt, through
// the AI with one), the same variant for the same lead and step, the weights over 2,000 leads;
// a broken variant gives way to another of its step, a step with none that renders (or gone) holds
// the lead, and a lead that is not the campaign's prospect (or no database) gets its ordinary draft.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { Runtime } from '@temporalio/worker';
import { createDraftActivities, type DraftArgs } from '../../activities/ai/activity.js';
import { createDrafter } from '../../activities/ai/drafter.js';
import type { CampaignSpec } from '../../domain/campaigns/spec.js';
import { assignVariant } from '../../domain/campaigns/variants.js';
import { Failure } from '../../domain/failures/index.js';
import type { Draft } from '../../domain/messages/draft-types.js';
import { startOpenAI } from '../helpers/standins/openai.js';
import { openTestDb, type TestDb } from '../helpers/test-db.js';

const spec = (over: Partial<CampaignSpec> = {}): CampaignSpec => ({
  name: 'Fleet',
  inboxes: ['warm-1'],
  channel: 'email',
  steps: [
    {
      delay: '0',
      variants: [
        {
          id: 'A',
          weight: 3,
          subject: 'Fleet pricing for {{ company | default: "your team" }}',
          body: 'Hi {{ firstName | default: "there" }}, about your {{ fields.fleetSize }} vans.\n{{ senderName }}',
        },
        { id: 'B', weight: 1, subject: 'A question, {{ firstName }}', body: 'Hello {{ firstName }} at {{ company }}.\n{{ senderName }}' },
      ],
    },
    {
      delay: '3 days',
      prompt: 'Ask for ten minutes on Thursday',
      variants: [{ id: 'P', weight: 1, subject: 'Thursday?', body: 'Hi {{ firstName }}, ten minutes on Thursday?\n{{ senderName }}' }],
    },
    // As if edited by hand in the database: no longer renders.
    { delay: '3 days', variants: [{ id: 'X', weight: 1, subject: 'Hi', body: 'Hi {{ frstName }}' }] },
    // One arm broken by hand, the other fine.
    {
      delay: '3 days',
      variants: [
        { id: 'Y', weight: 1, subject: 'Broken', body: 'Hi {{ frstName }}' },
        { id: 'Z', weight: 1, subject: 'Last note for {{ company | default: "your team" }}', body: 'Closing the loop.\n{{ senderName }}' },
      ],
    },
  ],
  window: { days: [1, 2, 3, 4, 5], startHour: 9, endHour: 17, timeZone: 'UTC' },
  dailyNewLeads: null,
  senderName: 'Harbor Fleet Team',
  skipActiveElsewhere: true,
  significance: 0.05,
  ...over,
});

const args = (leadId: string, step: number, campaignId = 'camp-1'): DraftArgs => ({
  channel: 'email',
  step,
  lead: { firstName: 'Ana', lastName: 'Fleet', vehicles: [], comments: null },
  dealerName: null,
  conversation: [],
  campaign: { campaignId, leadId },
});

describe('campaign drafting activity', () => {
  let tdb: TestDb;
  const env = () => new MockActivityEnvironment({}, { logger: Runtime.instance().logger });
  const acts = () => createDraftActivities({ drafter: createDrafter({}), senderName: 'leadflow', db: tdb.db });
  const draft = (a: DraftArgs, activities = acts()): Promise<Draft> => env().run(activities.draftMessage, a);

  before(async () => {
    tdb = await openTestDb();
    const db = tdb.db;
    await db.insertInto('campaigns').values({ id: 'camp-1', name: 'Fleet', spec: spec() }).execute();
    await db
      .insertInto('campaign_imports')
      .values({ id: 'imp-1', campaign_id: 'camp-1', content_sha256: 'x', rows: 2002, accepted: 2002, invalid: [] })
      .execute();
    const prospect = (n: number, leadId: string, over: object = {}) => ({
      campaign_id: 'camp-1',
      import_id: 'imp-1',
      row_number: n,
      email: `p${n}@example.com`,
      email_norm: `p${n}@example.com`,
      first_name: null,
      company: null,
      fields: {},
      status: 'started' as const,
      lead_id: leadId,
      ...over,
    });
    await db
      .insertInto('campaign_prospects')
      .values([
        prospect(1, 'lead:ana', { first_name: 'Ana', company: 'Acme Freight', fields: { fleetSize: '40' } }),
        prospect(2, 'lead:bare'),
        ...Array.from({ length: 2000 }, (_, i) => prospect(i + 3, `lead:w-${i}`)),
      ])
      .execute();
  });
  after(async () => {
    await tdb?.close();
  });

  test('no prompt: the variant rendered with the prospect, verbatim, and the same variant every time', async () => {
    const first = await draft(args('lead:ana', 1));
    assert.equal(first.path, 'template');
    assert.equal(first.reason, 'campaign_template');
    const expected =
      first.variant === 'A'
        ? { subject: 'Fleet pricing for Acme Freight', body: 'Hi Ana, about your 40 vans.\nHarbor Fleet Team' }
        : { subject: 'A question, Ana', body: 'Hello Ana at Acme Freight.\nHarbor Fleet Team' };
    assert.deepEqual({ subject: first.subject, body: first.body }, expected);
    for (let i = 0; i < 3; i++) assert.deepEqual(await draft(args('lead:ana', 1)), first, 'a retry drafts the same variant and text');
  });

  test('a prospect without a column or a name: defaults apply, the column renders empty', async () => {
    const d = await draft(args('lead:bare', 1));
    const a = { subject: 'Fleet pricing for your team', body: 'Hi there, about your  vans.\nHarbor Fleet Team' };
    const b = { subject: 'A question,', body: 'Hello  at .\nHarbor Fleet Team' };
    assert.deepEqual({ subject: d.subject, body: d.body }, d.variant === 'A' ? a : b);
  });

  test('weights are respected over 2,000 leads (3:1 within ±4 points)', async () => {
    const activities = acts();
    const counts = { A: 0, B: 0 };
    for (let i = 0; i < 2000; i++) {
      const d = await activities.draftMessage(args(`lead:w-${i}`, 1));
      counts[d.variant as 'A' | 'B'] += 1;
    }
    assert.equal(counts.A + counts.B, 2000);
    assert.ok(Math.abs(counts.A / 2000 - 0.75) < 0.04, JSON.stringify(counts));
  });

  test('the current spec is read at draft time: an edit reaches the next draft', async () => {
    const edited = spec();
    edited.steps[0]!.variants = [{ id: 'A', weight: 1, subject: 'Edited for {{ firstName }}', body: 'New text, {{ firstName }}' }];
    await tdb.db.updateTable('campaigns').set({ spec: edited }).where('id', '=', 'camp-1').execute();
    try {
      const d = await draft(args('lead:ana', 1));
      assert.deepEqual({ subject: d.subject, body: d.body, variant: d.variant }, { subject: 'Edited for Ana', body: 'New text, Ana', variant: 'A' });
    } finally {
      await tdb.db.updateTable('campaigns').set({ spec: spec() }).where('id', '=', 'camp-1').execute();
    }
  });

  test('a prompt: the AI writes from the instruction and the rendered frame; without a key the frame goes out', async () => {
    const noKey = await draft(args('lead:ana', 2));
    assert.deepEqual(noKey, {
      subject: 'Thursday?',
      body: 'Hi Ana, ten minutes on Thursday?\nHarbor Fleet Team',
      path: 'template',
      reason: 'no_api_key',
      detail: 'no OpenAI API key configured',
      variant: 'P',
    });
    let seen: Array<{ role: string; content: string }> = [];
    const ai = await startOpenAI({
      apiKey: 'sk-test',
      contentFor: (req) => {
        seen = req.messages;
        return JSON.stringify({ subject: 'Ten minutes Thursday, Ana?', body: 'Hi Ana, could we talk for ten minutes on Thursday?\nHarbor Fleet Team' });
      },
    });
    try {
      const drafter = createDrafter({ openai: { apiKey: 'sk-test', baseUrl: `${ai.url}/v1`, model: 'gpt-4o-mini', maxRetries: 0 } });
      const d = await draft(args('lead:ana', 2), createDraftActivities({ drafter, senderName: 'leadflow', db: tdb.db }));
      assert.deepEqual(d, {
        subject: 'Ten minutes Thursday, Ana?',
        body: 'Hi Ana, could we talk for ten minutes on Thursday?\nHarbor Fleet Team',
        path: 'ai',
        variant: 'P',
      });
      assert.match(seen[0]?.content ?? '', /Ask for ten minutes on Thursday/);
      assert.match(seen[0]?.content ?? '', /Harbor Fleet Team/);
      assert.deepEqual((JSON.parse(seen[1]?.content ?? '{}') as { frame?: unknown }).frame, {
        subject: 'Thursday?',
        body: 'Hi Ana, ten minutes on Thursday?\nHarbor Fleet Team',
      });
    } finally {
      await ai.close();
    }
  });

  test('a variant that no longer renders: another variant of the same step, saying why, never the built-in text', async () => {
    // A lead the hash assigns the broken arm Y of step 4.
    const leadId = Array.from({ length: 2000 }, (_, i) => `lead:w-${i}`).find((id) => assignVariant(id, 4, spec().steps[3]!.variants).id === 'Y');
    assert.ok(leadId !== undefined);
    const d = await draft(args(leadId, 4));
    assert.deepEqual(
      { subject: d.subject, body: d.body, path: d.path, reason: d.reason, variant: d.variant },
      { subject: 'Last note for your team', body: 'Closing the loop.\nHarbor Fleet Team', path: 'template', reason: 'validation', variant: 'Z' },
    );
    assert.match(d.detail ?? '', /^campaign camp-1 step 4: variant Y: unknown variable "frstName".*; sent variant Z instead$/);
  });

  test('no variant renders, or the step is gone: the lead is held (non-retryable CampaignDraftHeld), nothing drafted', async () => {
    const cases: Array<[DraftArgs, RegExp]> = [
      [args('lead:ana', 3), /^campaign camp-1 step 3: no variant renders for this prospect \(variant X: unknown variable "frstName"/],
      [args('lead:ana', 5), /^campaign camp-1 step 5: the campaign has no usable step 5 \(removed or emptied after this lead started\?\)/],
    ];
    for (const [a, why] of cases) {
      await assert.rejects(draft(a), (err: unknown) => {
        assert.ok(err instanceof ApplicationFailure, String(err));
        assert.equal(err.type, Failure.CampaignDraftHeld);
        assert.equal(err.nonRetryable, true, 'no retry fixes the campaign');
        assert.match(err.message, why);
        assert.match(err.message, /nothing was sent: fix the campaign, then retry the lead$/);
        assert.doesNotMatch(err.message, /enquiry/);
        return true;
      });
    }
  });

  test('not a prospect of the campaign (no such campaign, a lead merely tagged with it) or no database: the ordinary draft, saying why', async () => {
    const cases: Array<[DraftArgs, RegExp, ReturnType<typeof acts>?]> = [
      [args('lead:ana', 1, 'camp-gone'), /^campaign camp-gone not found: drafted as an ordinary lead; no OpenAI API key configured$/],
      [args('lead:stranger', 1), /^no prospect of campaign camp-1 for this lead/],
      [args('lead:ana', 1), /has no database to read it from/, createDraftActivities({ drafter: createDrafter({}), senderName: 'leadflow' })],
    ];
    for (const [a, why, activities] of cases) {
      const d = await draft(a, activities);
      assert.equal(d.path, 'template');
      assert.equal(d.reason, 'no_api_key');
      assert.equal(d.variant, undefined);
      assert.match(d.detail ?? '', why);
      assert.match(d.body, /^Hi Ana,/, 'the built-in template for the lead');
      // The lead named no vehicle: the built-in subject for that, not a stand-in in the vehicle's slot.
      assert.equal(d.subject, 'Your enquiry at leadflow');
    }
  });
});
