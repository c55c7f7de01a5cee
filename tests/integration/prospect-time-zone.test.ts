// A prospect list's time-zone column through the import (api/campaigns/import.ts) into PostgreSQL
// and out of the fan-out's read as the lead's recipientTimeZone: the migration, the repository and
// the lead input agree. A wrong zone is that row's problem in the stored report.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { prospectLeadInput } from '../../temporal/campaign-lead-input.js';
import { importProspects } from '../../api/campaigns/import.js';
import { insertCampaign, pendingProspects } from '../../db/index.js';
import { campaignSpec } from '../helpers/campaigns/harness.js';
import { openTestDb, type TestDb } from '../helpers/test-db.js';

describe('prospect time zones, stored and carried (real PostgreSQL)', () => {
  let tdb: TestDb;
  before(async () => {
    tdb = await openTestDb();
  });
  after(async () => {
    await tdb?.close();
  });

  test('the tz column is stored canonical per prospect and becomes recipientTimeZone; a bad zone is a row problem', async () => {
    const spec = campaignSpec();
    await insertCampaign(tdb.db, { id: 'camp-tz', name: spec.name, spec, createdBy: 'test' });
    const csv = ['email,first name,Time Zone', 'ann@example.com,Ann,america/los_angeles', 'bo@example.com,Bo,', 'cy@example.com,Cy,Pacific Time'].join('\n');
    const report = await importProspects(tdb.db, {
      campaignId: 'camp-tz',
      body: (async function* () {
        yield Buffer.from(csv, 'utf8');
      })(),
      format: 'csv',
      encoding: 'auto',
      mapping: undefined,
      region: undefined,
      key: null,
      dryRun: false,
      by: 'test',
    });
    assert.equal(report.accepted, 2);
    assert.deepEqual(report.invalid, [{ row: 4, field: 'timeZone', reason: '"Pacific Time" is not an IANA time zone (e.g. America/Chicago)' }]);

    const rows = await pendingProspects(tdb.db, 'camp-tz', '0', 10);
    assert.deepEqual(
      rows.map((r) => [r.email, r.time_zone]),
      [
        ['ann@example.com', 'America/Los_Angeles'],
        ['bo@example.com', null],
      ],
    );
    const [ann, bo] = rows.map((r) => prospectLeadInput('camp-tz', spec, r, Date.now()));
    assert.equal(ann?.recipientTimeZone, 'America/Los_Angeles');
    assert.equal(bo?.recipientTimeZone, undefined, "no zone: the inbox's (or campaign's) own zone applies");
  });
});
