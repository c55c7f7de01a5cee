// Campaign API refusals on real PostgreSQL, with no Temporal at all (none of these paths may need
// a worker or the server): each bad list or definition is a 4xx problem+json naming what is wrong
// (never a 500), and after every refusal nothing is half-imported — campaign_prospects and
// campaign_imports hold exactly what they held before. Also the inputs that must be accepted:
// Windows-1252 declared as such, a JSON list, and an Idempotency-Key replay. An undeclared-to-us
// charset and a dry run into a closed campaign were accepted before (api/routes/campaign-prospects.ts).
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { finishCampaign } from '../../db/index.js';
import { campaignSpec, prospectsCsv } from '../helpers/campaigns/harness.js';
import { bearer, dbOnlyApp } from '../helpers/db-app.js';
import { openTestDb, type TestDb } from '../helpers/test-db.js';

describe('campaign API: bad input is refused whole (PostgreSQL, no Temporal)', () => {
  let tdb: TestDb;
  let app: FastifyInstance;
  let auth: Record<string, string>;

  before(async () => {
    tdb = await openTestDb();
    // No Temporal client: a refusal (or an import into a draft) that reached for one would fail loudly.
    app = await dbOnlyApp(tdb.db);
    auth = await bearer(tdb.db, 'bad-input', ['read', 'write']);
  });
  after(async () => {
    await app?.close();
    await tdb?.close();
  });

  const post = (url: string, payload: string | Buffer | object, contentType = 'application/json', headers: Record<string, string> = {}) =>
    app.inject({
      method: 'POST',
      url,
      headers: { ...auth, 'content-type': contentType, ...headers },
      payload: typeof payload === 'string' || Buffer.isBuffer(payload) ? payload : JSON.stringify(payload),
    });
  const newCampaign = async (name: string) => {
    const res = await post('/campaigns', campaignSpec({ name }));
    assert.equal(res.statusCode, 201, res.body);
    return res.json<{ id: string }>().id;
  };
  const counts = async () => {
    const n = async (table: 'campaign_prospects' | 'campaign_imports') =>
      Number(
        (
          await tdb.db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    return { prospects: await n('campaign_prospects'), imports: await n('campaign_imports') };
  };
  type Problem = { status: number; detail: string; errors?: Array<{ field: string; message: string }> };
  /** A refusal: the status, a problem+json body whose detail (and fields) match, nothing stored. */
  const refused = async (send: () => Promise<LightMyRequestResponse>, status: number, detail: RegExp): Promise<Problem> => {
    const before = await counts();
    const res = await send();
    assert.equal(res.statusCode, status, res.body);
    assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
    const problem = res.json<Problem>();
    assert.equal(problem.status, status);
    assert.match(`${problem.detail} ${(problem.errors ?? []).map((e) => `${e.field} ${e.message}`).join(' ')}`, detail);
    assert.deepEqual(await counts(), before, 'nothing stored by a refused request');
    return problem;
  };
  const csv = (id: string, body: string | Buffer, charset = 'utf-8', query = '') =>
    post(`/campaigns/${id}/prospects${query}`, body, `text/csv; charset=${charset}`);

  test('a CSV without a header row is a 400 that says so', async () => {
    const id = await newCampaign('No header');
    await refused(() => csv(id, 'ann@example.com,Ann\r\nbob@example.com,Bob\r\n'), 400, /no header row/);
  });

  test('a mapping naming a column the header lacks is a 400 naming the column', async () => {
    const id = await newCampaign('Bad mapping');
    const mapping = encodeURIComponent(JSON.stringify({ 'E-Mail Address': 'email' }));
    await refused(() => csv(id, prospectsCsv(3), 'utf-8', `?mapping=${mapping}`), 400, /"E-Mail Address"/);
    await refused(() => csv(id, prospectsCsv(3), 'utf-8', `?mapping=${encodeURIComponent('{"Email": "mail"}')}`), 400, /unknown target/);
  });

  test('bytes that are not UTF-8 under charset=utf-8: a 400 naming the byte offset', async () => {
    const id = await newCampaign('Not UTF-8');
    const head = Buffer.from('Email,First Name\r\nrene@example.com,Ren');
    await refused(() => csv(id, Buffer.concat([head, Buffer.from([0xe9]), Buffer.from('\r\n')])), 400, new RegExp(`byte offset ${head.length}\\b`));
  });

  test('a charset the contract cannot read is a 415 naming it, not a guess stored as mojibake', async () => {
    const id = await newCampaign('Shift_JIS');
    await refused(() => csv(id, prospectsCsv(2), 'shift_jis'), 415, /charset shift_jis is not supported/);
  });

  test('Windows-1252 declared as such is accepted, é intact', async () => {
    const id = await newCampaign('Windows-1252');
    const body = Buffer.concat([
      Buffer.from('Email,First Name,Company\r\nrene@example.com,Ren'),
      Buffer.from([0xe9]),
      Buffer.from(',Caf\xe9 SA\r\n', 'latin1'),
    ]);
    const res = await csv(id, body, 'windows-1252');
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(res.json<{ accepted: number }>().accepted, 1);
    const row = await tdb.db.selectFrom('campaign_prospects').select(['first_name', 'company']).where('campaign_id', '=', id).executeTakeFirstOrThrow();
    assert.deepEqual(row, { first_name: 'René', company: 'Café SA' });
  });

  test('a JSON list: valid items stored, a bad one reported by row and field', async () => {
    const id = await newCampaign('JSON list');
    const res = await post(`/campaigns/${id}/prospects`, [
      { email: 'ana@json.example.com', firstName: 'Ana', company: 'Acme' },
      { email: 'not-an-address', firstName: 'Bad' },
    ]);
    assert.equal(res.statusCode, 201, res.body);
    const report = res.json<{ rows: number; accepted: number; invalid: Array<{ row: number; field: string }> }>();
    assert.deepEqual([report.rows, report.accepted], [2, 1]);
    assert.deepEqual(
      report.invalid.map((p) => [p.row, p.field]),
      [[3, 'email']],
    );
    const stored = await tdb.db.selectFrom('campaign_prospects').select(['email_norm', 'first_name']).where('campaign_id', '=', id).execute();
    assert.deepEqual(stored, [{ email_norm: 'ana@json.example.com', first_name: 'Ana' }]);
  });

  test('the same Idempotency-Key is the earlier import, even with a different body', async () => {
    const id = await newCampaign('Idempotent');
    const key = { 'idempotency-key': 'upload-7' };
    const first = await post(`/campaigns/${id}/prospects`, prospectsCsv(4), 'text/csv', key);
    assert.equal(first.statusCode, 201, first.body);
    const before = await counts();
    const replay = await post(`/campaigns/${id}/prospects`, prospectsCsv(9, { domain: 'other.example.com' }), 'text/csv', key);
    assert.equal(replay.statusCode, 200, replay.body);
    assert.equal(replay.json<{ importId: string }>().importId, first.json<{ importId: string }>().importId);
    assert.equal(replay.json<{ accepted: number }>().accepted, 4);
    assert.deepEqual(await counts(), before, 'the replay added nobody');
  });

  test('definitions: an unknown template variable or no inbox is a 400 naming it; nothing is stored', async () => {
    const typo = campaignSpec({ name: 'Typo' });
    typo.steps[0]!.variants[0]!.body = 'Hi {{ frist_name }}';
    const before = await tdb.db.selectFrom('campaigns').select('id').execute();
    const p = await refused(() => post('/campaigns', typo), 400, /frist_name/);
    assert.ok(
      p.errors?.some((e) => e.field.startsWith('/steps') && /frist_name/.test(e.message)),
      JSON.stringify(p.errors),
    );
    const none = await refused(() => post('/campaigns', campaignSpec({ name: 'No inbox', inboxes: [] })), 400, /inboxes/);
    assert.ok(
      none.errors?.some((e) => e.field === '/inboxes'),
      JSON.stringify(none.errors),
    );
    assert.equal((await tdb.db.selectFrom('campaigns').select('id').execute()).length, before.length);
  });

  test('start with no prospects, and imports into a cancelled or finished campaign, are 409s', async () => {
    const empty = await newCampaign('Empty');
    await refused(() => post(`/campaigns/${empty}/start`, {}), 409, /no prospects/);
    assert.equal((await tdb.db.selectFrom('campaigns').select('status').where('id', '=', empty).executeTakeFirstOrThrow()).status, 'draft');

    const cancelled = await newCampaign('Cancelled');
    assert.equal((await post(`/campaigns/${cancelled}/cancel`, { reason: 'test' })).statusCode, 200);
    await refused(() => csv(cancelled, prospectsCsv(3)), 409, /cancelled/);
    // A dry run predicts the real answer: the same 409, not a report of rows "accepted".
    await refused(() => csv(cancelled, prospectsCsv(3), 'utf-8', '?dryRun=true'), 409, /cancelled: it takes no more prospects/);

    // Finished the way its workflow finishes it: running, nothing pending, then finishCampaign.
    const finished = await newCampaign('Finished');
    await tdb.db.updateTable('campaigns').set({ status: 'running' }).where('id', '=', finished).execute();
    assert.ok(await finishCampaign(tdb.db, finished, 'finished', {}));
    await refused(() => csv(finished, prospectsCsv(3)), 409, /finished/);
  });

  test('a 100 MB upload over HTTP is a 413 problem, answered before the upload ends; nothing stored', async () => {
    const id = await newCampaign('Too large');
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as AddressInfo;
    const TOTAL = 100 * 1024 * 1024;
    const row = `${'x'.repeat(400)}@big.example.com,Big,${'C'.repeat(80)}\r\n`;
    const chunk = Buffer.from(`Email,First Name,Company\r\n${row.repeat(Math.floor((256 * 1024) / row.length))}`);
    const before = await counts();
    let written = 0;
    const res = await new Promise<{ status: number; type: string; body: string }>((resolve, reject) => {
      let answered = false;
      const req = http.request(
        { host: '127.0.0.1', port, method: 'POST', path: `/campaigns/${id}/prospects`, headers: { ...auth, 'content-type': 'text/csv' } },
        (r) => {
          answered = true;
          let body = '';
          r.on('data', (d: Buffer) => (body += d.toString()));
          r.on('end', () => resolve({ status: r.statusCode ?? 0, type: String(r.headers['content-type']), body }));
        },
      );
      // The server stops reading once it answers; the broken pipe that follows is expected.
      req.on('error', (err) => (answered ? undefined : reject(err)));
      // A generator-fed body: written as the socket drains, stopped as soon as the answer is in.
      const write = () => {
        while (!answered && written < TOTAL) {
          written += chunk.length;
          if (!req.write(chunk)) return void req.once('drain', write);
        }
        if (!answered) req.end();
      };
      write();
    });
    assert.equal(res.status, 413, res.body);
    assert.match(res.type, /^application\/problem\+json/);
    assert.match((JSON.parse(res.body) as Problem).detail, /larger than 20 MB/);
    // About 20 MB read plus what the sockets buffer: far from all of it.
    assert.ok(written < TOTAL / 2, `the answer came only after ${written} of ${TOTAL} bytes were sent`);
    assert.deepEqual(await counts(), before);
  });
});
