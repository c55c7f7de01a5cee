// A prospect's time zone: the header spellings people use for it, the value made canonical (so a
// window opens in the recipient's hours), a wrong zone as that row's problem naming `timeZone`,
// and the zone carried into the lead's input.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { prospectLeadInput } from '../../temporal/campaign-lead-input.js';
import { prospectRow } from '../helpers/campaigns/prospect-row.js';
import { checkProspects, ProspectListError, type CheckProspectsOptions } from '../../domain/prospects/index.js';
import { canonicalTimeZone } from '../../domain/time-zone.js';
import { validateLeadInput } from '../../temporal/lead-validation.js';
import { campaignSpec } from '../helpers/campaigns/harness.js';

const csv = (text: string, opts?: CheckProspectsOptions) => checkProspects(Buffer.from(text, 'utf8'), opts);

describe('prospect lists: the time-zone column', () => {
  test('timezone, Time Zone, time_zone, TZ and time-zone all read as the time zone', async () => {
    for (const header of ['timezone', 'Time Zone', 'time_zone', 'TZ', 'Time-Zone', ' TimeZone ']) {
      const check = await csv(`email,${header}\nann@example.com,America/Chicago\n`);
      assert.equal(check.valid[0]?.timeZone, 'America/Chicago', header);
      assert.deepEqual(check.valid[0]?.fields, {}, `${header} is not kept as a custom field too`);
    }
  });

  test('values are made canonical; a blank one is no zone; a wrong one is the row’s problem, naming timeZone', async () => {
    const check = await csv(
      ['email,tz', 'a@example.com,america/new_york', 'b@example.com,', 'c@example.com,Central', 'd@example.com,+05:00', 'e@example.com,UTC'].join('\n'),
    );
    assert.deepEqual(
      check.valid.map((p) => [p.row, p.timeZone ?? null]),
      [
        [2, 'America/New_York'],
        [3, null],
        [6, 'UTC'],
      ],
    );
    assert.deepEqual(check.invalid, [
      { row: 4, field: 'timeZone', reason: '"Central" is not an IANA time zone (e.g. America/Chicago)' },
      { row: 5, field: 'timeZone', reason: '"+05:00" is not an IANA time zone (e.g. America/Chicago)' },
    ]);
  });

  test('JSON keys and mappings reach it too; two time-zone columns are refused as ambiguous', async () => {
    const json = await checkProspects(Buffer.from(JSON.stringify([{ email: 'a@example.com', timeZone: 'Europe/Paris' }])));
    assert.equal(json.valid[0]?.timeZone, 'Europe/Paris');
    const mapped = await csv('email,Local zone\na@example.com,Asia/Tokyo\n', { mapping: { 'Local zone': 'timeZone' } });
    assert.equal(mapped.valid[0]?.timeZone, 'Asia/Tokyo');
    await assert.rejects(
      csv('email,tz,timezone\na@example.com,UTC,UTC\n'),
      (err: Error) => err instanceof ProspectListError && /both read as timeZone/.test(err.message),
    );
  });

  test('canonicalTimeZone: IANA names in any case, trimmed; anything else null', () => {
    assert.equal(canonicalTimeZone('europe/london'), 'Europe/London');
    assert.equal(canonicalTimeZone(' Asia/Tokyo '), 'Asia/Tokyo');
    for (const bad of ['', 'Central', 'GMT+5:00', 'Mars/Base', 'x'.repeat(65), null, 42]) assert.equal(canonicalTimeZone(bad), null, String(bad));
  });
});

describe("the prospect's zone in its lead input", () => {
  const row = (timeZone: string | null) => prospectRow({ campaign_id: 'camp-tz', time_zone: timeZone });

  test('a zone becomes recipientTimeZone (and passes the lead checks); none leaves it out', () => {
    const input = prospectLeadInput('camp-tz', campaignSpec(), row('America/Denver'), Date.now());
    assert.equal(input.recipientTimeZone, 'America/Denver');
    assert.doesNotThrow(() => validateLeadInput(input));
    assert.equal('recipientTimeZone' in prospectLeadInput('camp-tz', campaignSpec(), row(null), Date.now()), false);
  });
});
