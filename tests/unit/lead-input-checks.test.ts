// Lead input that PostgreSQL or Temporal would refuse later is refused up front, naming the field:
// NUL characters, unpaired surrogates, deep nesting, oversized documents and identities that
// grow past their bounds when normalised.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { createDb, migrateToLatest, recordLeadEvent, listLeadEvents, upsertLead } from '../../db/index.js';
import { findTextProblem } from '../../domain/text/checks.js';
import { InvalidLeadInputError, MAX_LEAD_INPUT_BYTES, validateLeadInput } from '../../temporal/lead-validation.js';
import { makeLeadInput } from '../helpers/leads.js';

function refusal(fn: () => void): InvalidLeadInputError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof InvalidLeadInputError, `expected InvalidLeadInputError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a refusal');
}

describe('lead input checks', () => {
  test('a NUL anywhere is refused with the field path', () => {
    assert.equal(
      refusal(() => validateLeadInput(makeLeadInput({ contact: { firstName: 'a\u0000b', lastName: null, email: 'x@example.com', phone: null } }))).field,
      'contact.firstName',
    );
    assert.equal(
      refusal(() => validateLeadInput(makeLeadInput({ payload: { notes: [{ text: 'ok' }, { text: 'bad\u0000' }] } }))).field,
      'payload.notes[1].text',
    );
    assert.equal(refusal(() => validateLeadInput(makeLeadInput({ payload: { 'we ird\u0000': 1 } }))).field, 'payload["we ird\\u0000"]');
  });

  test('an unpaired surrogate is refused; a paired one (emoji) is fine', () => {
    assert.match(refusal(() => validateLeadInput(makeLeadInput({ payload: { c: 'x\uD800y' } }))).message, /payload\.c .*surrogate/);
    validateLeadInput(makeLeadInput({ payload: { c: 'fine 🚗' } }));
  });

  test('nesting deeper than 32 levels and inputs over the size bound are refused', () => {
    let deep: unknown = 'leaf';
    for (let i = 0; i < 40; i++) deep = { d: deep };
    assert.match(refusal(() => validateLeadInput(makeLeadInput({ payload: { deep } }))).message, /nested deeper than 32/);
    const big = refusal(() => validateLeadInput(makeLeadInput({ payload: { blob: 'x'.repeat(MAX_LEAD_INPUT_BYTES) } })));
    assert.equal(big.tooLarge, true);
    assert.equal(big.field, 'payload');
  });

  test('identity fields are bounded after normalisation (İ lower-cases to two code units)', () => {
    const campaign = 'İ'.repeat(40); // 40 characters, 80 once lower-cased
    assert.equal(campaign.length, 40);
    assert.equal(refusal(() => validateLeadInput(makeLeadInput({ campaignId: campaign }))).field, 'campaignId');
    validateLeadInput(makeLeadInput({ campaignId: 'İ'.repeat(30) }));
    assert.equal(refusal(() => validateLeadInput(makeLeadInput({ externalId: 'x'.repeat(129) }))).field, 'externalId');
  });

  test('findTextProblem passes clean documents through', () => {
    assert.equal(findTextProblem({ a: ['b', { c: 'd', e: null, f: 1 }] }), null);
  });

  test('a NUL that still reaches the timeline (inbound mail text) is stored as U+FFFD instead of failing the write', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadflow-nul-'));
    const handle = await createDb({ dataDir });
    try {
      await migrateToLatest(handle.db);
      await upsertLead(handle.db, { id: 'lead:nul:1', source: 'test', payload: {} });
      await recordLeadEvent(handle.db, { leadId: 'lead:nul:1', eventKey: 'reply:1', type: 'reply', detail: { text: 'hi\u0000there', escaped: 'a\\u0000b' } });
      const [event] = (await listLeadEvents(handle.db, 'lead:nul:1')).filter((e) => e.event_key === 'reply:1');
      assert.equal(event?.detail.text, 'hi\uFFFDthere');
      assert.equal(event?.detail.escaped, 'a\\u0000b', 'a literal backslash-u0000 in the text is data, left alone');
    } finally {
      await handle.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
