// The reasons a prospect import refuses a valid-looking row, through the API on real PostgreSQL
// with no Temporal: a suppressed e-mail or phone, a person already in the campaign from an
// earlier import of different bytes (by e-mail, or by phone for a row without one), and a row
// with only a phone repeating an earlier one in the same file. And the dry run's promise: its
// report is exactly the report of the real import that follows it, row by row.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { addSuppression } from '../../db/index.js';
import { campaignSpec } from '../helpers/campaigns/harness.js';
import { bearer, dbOnlyApp } from '../helpers/db-app.js';
import { openTestDb, type TestDb } from '../helpers/test-db.js';

interface Report {
  importId: string | null;
  dryRun: boolean;
  rows: number;
  accepted: number;
  invalid: Array<{ row: number; field: string; reason: string }>;
}

const ALREADY = 'already a prospect of this campaign';
const SUPPRESSED = 'suppressed: the address unsubscribed, bounced or complained before';
const csvOf = (rows: string[]) => ['Email,Phone,First Name', ...rows].join('\r\n') + '\r\n';

describe('campaign import: every refused row has its reason, and the dry run predicts the import (PostgreSQL, no Temporal)', () => {
  let tdb: TestDb;
  let app: FastifyInstance;
  let auth: Record<string, string>;

  before(async () => {
    tdb = await openTestDb();
    app = await dbOnlyApp(tdb.db);
    auth = await bearer(tdb.db, 'import-reasons', ['read', 'write']);
  });
  after(async () => {
    await app?.close();
    await tdb?.close();
  });

  const newCampaign = async (name: string) => {
    const res = await app.inject({
      method: 'POST',
      url: '/campaigns',
      headers: { ...auth, 'content-type': 'application/json' },
      payload: campaignSpec({ name }),
    });
    assert.equal(res.statusCode, 201, res.body);
    return res.json<{ id: string }>().id;
  };
  const upload = async (id: string, body: string, query = ''): Promise<Report> => {
    const res = await app.inject({
      method: 'POST',
      url: `/campaigns/${id}/prospects${query}`,
      headers: { ...auth, 'content-type': 'text/csv' },
      payload: body,
    });
    assert.equal(res.statusCode, query.includes('dryRun=true') ? 200 : 201, res.body);
    return res.json<Report>();
  };
  const stored = async (id: string) =>
    (await tdb.db.selectFrom('campaign_prospects').select(['row_number', 'email_norm', 'phone']).where('campaign_id', '=', id).orderBy('seq').execute()).map(
      (r) => [r.row_number, r.email_norm ?? r.phone],
    );

  test('a suppressed e-mail or phone is refused with its reason, naming the field; the rest are stored', async () => {
    const id = await newCampaign('Suppressed');
    await addSuppression(tdb.db, { address: 'Gone@Suppressed.example.com', channel: 'email', reason: 'unsubscribe', leadId: null, eventId: null });
    await addSuppression(tdb.db, { address: '+12015550177', channel: 'sms', reason: 'complaint', leadId: null, eventId: null });
    const report = await upload(
      id,
      csvOf(['ok@suppressed.example.com,,Ok', ' gone@SUPPRESSED.example.com,,Gone', ',(201) 555-0177,Texted', ',201-555-0178,Fine']),
    );
    assert.deepEqual([report.rows, report.accepted], [4, 2]);
    assert.deepEqual(report.invalid, [
      { row: 3, field: 'email', reason: SUPPRESSED },
      { row: 4, field: 'phone', reason: SUPPRESSED },
    ]);
    assert.deepEqual(await stored(id), [
      [2, 'ok@suppressed.example.com'],
      [5, '+12015550178'],
    ]);
  });

  test('rows already in the campaign, imported again in a different file: "already a prospect", by e-mail and by phone', async () => {
    const id = await newCampaign('Again');
    const first = await upload(id, csvOf(['ann@again.example.com,,Ann', 'bo@again.example.com,,Bo', ',(201) 555-0131,Cy']));
    assert.deepEqual([first.accepted, first.invalid], [3, []]);
    // Other bytes (order, case, spacing, the phone's format, a new row), so not the same import.
    const second = await upload(
      id,
      csvOf(['new@again.example.com,,New', ' BO@again.example.com,,Bo again', ',+1 201 555 0131,Cy again', 'ANN@again.example.com,,Ann again']),
    );
    assert.notEqual(second.importId, first.importId);
    assert.deepEqual([second.rows, second.accepted], [4, 1]);
    assert.deepEqual(second.invalid, [
      { row: 3, field: 'email', reason: ALREADY },
      { row: 4, field: 'phone', reason: ALREADY },
      { row: 5, field: 'email', reason: ALREADY },
    ]);
    assert.equal((await stored(id)).length, 4);
  });

  test('phone-only rows repeated in one file (as E.164): "duplicate of row N" naming phone, in the dry run and the import', async () => {
    const id = await newCampaign('Phone repeats');
    const body = csvOf([',(201) 555-0141,One', ',201.555.0142,Two', ',+1 201 555 0141,One again', ',12015550142,Two again']);
    const want = [
      { row: 4, field: 'phone', reason: 'duplicate of row 2' },
      { row: 5, field: 'phone', reason: 'duplicate of row 3' },
    ];
    const dry = await upload(id, body, '?dryRun=true');
    assert.deepEqual([dry.accepted, dry.invalid], [2, want]);
    const real = await upload(id, body);
    assert.deepEqual([real.accepted, real.invalid], [2, want]);
    assert.deepEqual(await stored(id), [
      [2, '+12015550141'],
      [3, '+12015550142'],
    ]);
  });

  test('the dry run reports exactly what the real import then does, for every reason at once, and stores nothing', async () => {
    const id = await newCampaign('Dry run agrees');
    await upload(id, csvOf(['kept@dry.example.com,,Kept', ',(201) 555-0151,Kept phone']));
    await addSuppression(tdb.db, { address: 'blocked@dry.example.com', channel: 'email', reason: 'hard_bounce', leadId: null, eventId: null });
    const body = csvOf([
      'fresh@dry.example.com,,Fresh', // 2 accepted
      'not-an-address,,Bad', // 3 malformed
      'KEPT@dry.example.com,,Kept again', // 4 already in (e-mail)
      ',201-555-0151,Kept phone again', // 5 already in (phone)
      'blocked@dry.example.com,,Blocked', // 6 suppressed
      'fresh@dry.example.com,,Fresh twice', // 7 duplicate of row 2
      ',(201) 555-0152,Phone', // 8 accepted
      ',+12015550152,Phone twice', // 9 duplicate of row 8 (phone)
      ',,Nobody', // 10 neither
    ]);
    const before = await stored(id);
    const imports = async () => (await tdb.db.selectFrom('campaign_imports').select('id').where('campaign_id', '=', id).execute()).length;
    const importsBefore = await imports();
    const dry = await upload(id, body, '?dryRun=true');
    assert.deepEqual(await stored(id), before, 'the dry run stored no prospect');
    assert.equal(await imports(), importsBefore, 'nor an import');
    assert.equal(dry.dryRun, true);

    const real = await upload(id, body);
    assert.equal(real.dryRun, false);
    assert.deepEqual({ rows: dry.rows, accepted: dry.accepted, invalid: dry.invalid }, { rows: real.rows, accepted: real.accepted, invalid: real.invalid });
    assert.deepEqual(
      real.invalid.map((p) => [p.row, p.field]),
      [
        [3, 'email'],
        [4, 'email'],
        [5, 'phone'],
        [6, 'email'],
        [7, 'email'],
        [9, 'phone'],
        [10, 'email'],
      ],
    );
    assert.equal(real.accepted, 2);
    assert.deepEqual((await stored(id)).slice(before.length), [
      [2, 'fresh@dry.example.com'],
      [8, '+12015550152'],
    ]);
  });
});
