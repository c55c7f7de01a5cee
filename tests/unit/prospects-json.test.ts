// The JSON side of the prospect-list contract: the same records and problems as CSV, with item i
// reported as row i + 2 (its row in a spreadsheet with a header).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkProspects, ProspectListError, type CheckProspectsOptions } from '../../domain/prospects/index.js';

const json = (doc: unknown, opts?: CheckProspectsOptions) => checkProspects(Buffer.from(JSON.stringify(doc)), opts);

describe('prospect JSON', () => {
  test('an array of objects; keys recognised like headers; numbers are text; others are custom fields', async () => {
    const check = await json([{ 'E-Mail': 'Ann@Example.com', First_Name: 'Ann', Mobile: 2015550123, vip: true, note: null }]);
    assert.equal(check.rows, 1);
    assert.deepEqual(check.columns, ['E-Mail', 'First_Name', 'Mobile', 'vip', 'note']);
    assert.deepEqual(check.valid, [
      {
        row: 2,
        email: 'Ann@Example.com',
        emailNorm: 'ann@example.com',
        phone: '+12015550123',
        firstName: 'Ann',
        lastName: null,
        company: null,
        fields: { vip: 'true' },
      },
    ]);
  });

  test('{"prospects": [...]}; each item gets row i + 2; bad items are that row’s problem', async () => {
    const check = await json({
      prospects: [
        { email: 'a@example.com' }, // 2
        'b@example.com', // 3 not an object
        { email: 'A@example.com ' }, // 4 duplicate of row 2
        { phone: '12' }, // 5 malformed phone
        { email: 'c@example.com', tags: ['x'] }, // 6 nested value
        {}, // 7 neither
        null, // 8
      ],
    });
    assert.equal(check.rows, 7);
    assert.deepEqual(check.invalid, [
      { row: 3, field: 'row', reason: 'is a string, not an object' },
      { row: 4, field: 'email', reason: 'duplicate of row 2' },
      { row: 5, field: 'phone', reason: 'not a valid phone number (national numbers are read as US)' },
      { row: 6, field: 'tags', reason: 'is an object or array, not text' },
      { row: 7, field: 'email', reason: 'neither an e-mail address nor a phone number' },
      { row: 8, field: 'row', reason: 'is null, not an object' },
    ]);
  });

  test('a mapping applies to keys, and names only keys that occur', async () => {
    const check = await json([{ work: 'a@example.com', who: 'Ann' }], { mapping: { work: 'email', who: 'fields.contact' } });
    assert.deepEqual([check.valid[0]?.email, check.valid[0]?.fields], ['a@example.com', { contact: 'Ann' }]);
    await assert.rejects(json([{ email: 'a@example.com' }], { mapping: { work: 'email' } }), /mapping names column "work"/);
  });

  test('auto format: JSON when the text starts with [ or {, whatever the caller expected', async () => {
    const check = await checkProspects(Buffer.from('\uFEFF\n  [{"email": "a@example.com"}]', 'utf8'));
    assert.equal(check.valid[0]?.email, 'a@example.com');
    const asCsv = await checkProspects(Buffer.from('email\na@example.com\n'), { format: 'auto' });
    assert.equal(asCsv.valid[0]?.row, 2);
  });

  test('not JSON, or JSON of another shape, is a ProspectListError', async () => {
    for (const [text, message] of [
      ['[{"email": "a@example.com"', /^not valid JSON: /],
      ['{"email": "a@example.com"}', /array of objects, or \{"prospects": \[\.\.\.\]\}/],
      ['"a@example.com"', /array of objects/],
    ] as const) {
      await assert.rejects(checkProspects(Buffer.from(text), { format: text.startsWith('"') ? 'json' : 'auto' }), (err) => {
        assert.ok(err instanceof ProspectListError);
        assert.match(err.message, message);
        return true;
      });
    }
    // An empty list is a list: nothing to import, nothing wrong.
    assert.deepEqual((await json([])).rows, 0);
  });
});
