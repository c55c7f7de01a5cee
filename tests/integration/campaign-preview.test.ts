// POST /campaigns/:id/preview on PostgreSQL through the API: every step and variant rendered for
// the prospect given, and the warnings a careful reviewer would raise (an empty variable, a missing
// column, old {placeholders} and stray braces, the default sender "leadflow", the built-in subject
// whoever signs it, empty text, a long SMS); 404 problem for an unknown campaign, 400 naming an
// unknown prospect field, read scope.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { Static } from 'typebox';
import type { CampaignPreview } from '../../api/schemas/campaign-preview.js';
import type { CampaignSpec } from '../../domain/campaigns/spec.js';
import { bearer, dbOnlyApp } from '../helpers/db-app.js';
import { openTestDb, type TestDb } from '../helpers/test-db.js';

type Preview = Static<typeof CampaignPreview>;

const spec: CampaignSpec = {
  name: 'Preview me',
  inboxes: ['warm-1', 'sms-1'],
  channel: 'email',
  steps: [
    {
      delay: '0',
      variants: [
        {
          id: 'A',
          weight: 1,
          subject: 'Hi {{ firstName | default: "there" }}',
          body: 'Hi {{ firstName }},\n{% if company %}At {{ company }}? {% endif %}{{ senderName }}',
        },
        { id: 'B', weight: 1, subject: 'Your {vehicle} enquiry at leadflow', body: 'Hello {firstName}, about the {{ fields.model }} { more soon' },
      ],
    },
    { delay: '2 days', channel: 'sms', prompt: 'Be short', variants: [{ id: 'S', weight: 1, body: `{{ firstName | default: "Hi" }} ${'x'.repeat(330)}` }] },
    { delay: '2 days', variants: [{ id: 'E', weight: 1, subject: '{{ company }}', body: '{{ lastName }} [Your Name]' }] },
  ],
  window: { days: [1, 2, 3, 4, 5], startHour: 9, endHour: 17, timeZone: 'UTC' },
  dailyNewLeads: null,
  senderName: 'Harbor Fleet Team',
  skipActiveElsewhere: true,
  significance: 0.05,
};

describe('POST /campaigns/:id/preview', () => {
  let tdb: TestDb;
  let app: FastifyInstance;
  let read: Record<string, string>;
  const preview = (id: string, prospect: object, headers = read) =>
    app.inject({ method: 'POST', url: `/campaigns/${id}/preview`, headers: { ...headers, 'content-type': 'application/json' }, payload: { prospect } });

  before(async () => {
    tdb = await openTestDb();
    app = await dbOnlyApp(tdb.db);
    read = await bearer(tdb.db, 'preview-read', ['read']);
    await tdb.db.insertInto('campaigns').values({ id: 'camp-p', name: spec.name, spec }).execute();
  });
  after(async () => {
    await app?.close();
    await tdb?.close();
  });

  test('a complete prospect: every step and variant rendered, only the template mistakes warned', async () => {
    const res = await preview('camp-p', { firstName: 'Ana', lastName: 'Fleet', company: 'Acme', fields: { model: 'Transit' } });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json<Preview>();
    assert.equal(body.campaignId, 'camp-p');
    const [one, two, three] = body.steps;
    assert.deepEqual(one?.variants, [
      { id: 'A', weight: 1, subject: 'Hi Ana', body: 'Hi Ana,\nAt Acme? Harbor Fleet Team' },
      { id: 'B', weight: 1, subject: 'Your {vehicle} enquiry at leadflow', body: 'Hello {firstName}, about the Transit { more soon' },
    ]);
    assert.deepEqual(
      one?.warnings.map((w) => [w.variant, w.part, w.code]),
      [
        ['B', 'subject', 'old_placeholder'],
        ['B', 'subject', 'default_sender'],
        ['B', 'subject', 'default_subject'],
        ['B', 'body', 'old_placeholder'],
        ['B', 'body', 'stray_brace'],
      ],
    );
    assert.match(one?.warnings[0]?.message ?? '', /\{vehicle\} is the old single-brace syntax .*use \{\{vehicle\}\}/);
    assert.deepEqual(
      { step: two?.step, channel: two?.channel, delay: two?.delay, prompt: two?.prompt, subject: two?.variants[0]?.subject },
      {
        step: 2,
        channel: 'sms',
        delay: '2 days',
        prompt: 'Be short',
        subject: null,
      },
    );
    assert.deepEqual(
      two?.warnings.map((w) => [w.code, w.message]),
      [['too_long', 'the SMS is 334 characters, over 320']],
    );
    assert.deepEqual(
      three?.warnings.map((w) => w.code),
      ['bracket_placeholder'],
    );
  });

  test('an empty prospect: empty variables, missing columns and empty text are warned', async () => {
    const res = await preview('camp-p', {});
    assert.equal(res.statusCode, 200, res.body);
    const [one, , three] = res.json<Preview>().steps;
    assert.deepEqual(one?.variants[0], { id: 'A', weight: 1, subject: 'Hi there', body: 'Hi ,\nHarbor Fleet Team' });
    const codes = (s: Preview['steps'][number] | undefined) => s?.warnings.map((w) => `${w.variant}.${w.part}:${w.code}`);
    assert.deepEqual(codes(one), [
      'A.body:empty_variable',
      'B.subject:old_placeholder',
      'B.subject:default_sender',
      'B.subject:default_subject',
      'B.body:missing_field',
      'B.body:empty_variable',
      'B.body:old_placeholder',
      'B.body:stray_brace',
    ]);
    assert.match(one?.warnings[0]?.message ?? '', /\{\{ firstName \}\} rendered empty/);
    assert.deepEqual(codes(three), ['E.subject:empty_text', 'E.subject:empty_variable', 'E.body:empty_variable', 'E.body:bracket_placeholder']);
  });

  test('the built-in subject is caught whoever signs it, and only on the subject', async () => {
    const builtIn = (senderName: string, subject: string) => ({
      ...spec,
      senderName,
      steps: [{ delay: '0', variants: [{ id: 'A', weight: 1, subject, body: 'Hi {{ firstName }}' }] }],
    });
    const cases: Array<[string, string, string, string, string[]]> = [
      [
        'leadflow',
        'Your vehicle you asked about enquiry at {{ senderName }}',
        'Ana',
        'Your vehicle you asked about enquiry at leadflow',
        ['default_sender', 'default_subject'],
      ],
      [
        'Harbor Fleet Team',
        'Your vehicle you asked about enquiry at {{ senderName }}',
        'Ana',
        'Your vehicle you asked about enquiry at Harbor Fleet Team',
        ['default_subject'],
      ],
      ['Harbor Fleet Team', 'Your {{ fields.model }} enquiry at {{ senderName }}', 'Ana', 'Your Transit enquiry at Harbor Fleet Team', ['default_subject']],
      ['Harbor Fleet Team', 'Your enquiry at {{ senderName }}', 'Ana', 'Your enquiry at Harbor Fleet Team', ['default_subject']],
      ['Harbor Fleet Team', 'Still interested in the {{ fields.model }}?', 'Ana', 'Still interested in the Transit?', ['default_subject']],
      ['Harbor Fleet Team', 'Fleet pricing for {{ firstName }}', 'Ana', 'Fleet pricing for Ana', []],
    ];
    for (const [i, [senderName, subject, firstName, rendered, codes]] of cases.entries()) {
      await tdb.db
        .insertInto('campaigns')
        .values({ id: `camp-default-${i}`, name: 'x', spec: builtIn(senderName, subject) })
        .execute();
      const res = await preview(`camp-default-${i}`, { firstName, fields: { model: 'Transit' } });
      assert.equal(res.statusCode, 200, res.body);
      const step = res.json<Preview>().steps[0];
      assert.equal(step?.variants[0]?.subject, rendered);
      assert.deepEqual(
        step?.warnings.map((w) => w.code),
        codes,
        subject,
      );
      for (const w of step?.warnings.filter((x) => x.code === 'default_subject') ?? []) {
        assert.equal(w.part, 'subject');
        assert.match(w.message, /built-in dealer-style subject/);
      }
    }
  });

  test('unknown campaign: 404 problem; unknown prospect field: 400 naming it; a key is needed', async () => {
    const missing = await preview('camp-nope', {});
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.headers['content-type'], 'application/problem+json; charset=utf-8');
    assert.match(missing.json<{ detail: string }>().detail, /no campaign camp-nope/);
    const typo = await preview('camp-p', { frstName: 'Ana' });
    assert.equal(typo.statusCode, 400);
    assert.deepEqual(
      typo.json<{ errors: Array<{ field: string }> }>().errors.map((e) => e.field),
      ['/prospect/frstName'],
    );
    assert.equal((await preview('camp-p', {}, {})).statusCode, 401);
  });
});
