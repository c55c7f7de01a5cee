// The persistence layer on both database kinds: the same assertions must hold on
// embedded PGlite and on a real PostgreSQL, since the app treats them as equivalent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import {
  checkDb,
  createDb,
  getLead,
  listLeadEvents,
  listLeads,
  migrateToLatest,
  migrateWith,
  migrations,
  pendingMigrations,
  recordLeadEvent,
  setLeadStatus,
  upsertLead,
  type NewLeadRow,
} from '../../db/index.js';
import { forEachDatabase } from '../helpers/databases.js';

const ALL = Object.keys(migrations).sort();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let seq = 0;
function newLead(overrides: Partial<NewLeadRow> = {}): NewLeadRow {
  seq += 1;
  return {
    id: `lead-${seq}-${Math.random().toString(36).slice(2, 8)}`,
    source: 'web-form',
    email: `lead${seq}@example.com`,
    payload: { n: seq },
    ...overrides,
  };
}

forEachDatabase(
  'migrations',
  (t) => {
    void test('a fresh database has every migration pending', async () => {
      assert.deepEqual(await pendingMigrations(t.db), ALL);
    });

    void test('apply once, then a second run applies nothing', async () => {
      assert.deepEqual((await migrateToLatest(t.db)).applied, ALL);
      assert.deepEqual((await migrateToLatest(t.db)).applied, []);
      assert.deepEqual(await pendingMigrations(t.db), []);
    });

    void test('a failing migration rejects naming it, and its batch is rolled back', async () => {
      const broken = {
        ...migrations,
        '2099_01_01_0001_fine': {
          up: async (db: typeof t.db) => {
            await sql`create table fine_table (id int)`.execute(db);
          },
        },
        '2099_01_01_0002_broken': {
          up: async (db: typeof t.db) => {
            await sql`select * from no_such_table`.execute(db);
          },
        },
      };
      await assert.rejects(migrateWith(t.db, broken), (error: Error) => {
        assert.match(error.message, /migration 2099_01_01_0002_broken failed/);
        assert.match(error.message, /rolled back together with 2099_01_01_0001_fine/);
        assert.match(error.message, /no_such_table/);
        return true;
      });
      assert.deepEqual(await pendingMigrations(t.db, broken), ['2099_01_01_0001_fine', '2099_01_01_0002_broken']);
      const fine = await sql<{ t: string | null }>`select to_regclass('fine_table')::text as t`.execute(t.db);
      assert.equal(fine.rows[0]?.t, null);
      assert.deepEqual(await pendingMigrations(t.db), []);
    });
  },
  { migrate: false },
);

forEachDatabase('lead repository', (t) => {
  void test('setup migrated the database', () => {
    assert.deepEqual([...t.appliedOnSetup], ALL);
  });

  void test('both drivers decode int8, date, timestamptz and jsonb alike', async () => {
    const { rows } = await sql<{ i: unknown; d: unknown; ts: unknown; j: unknown }>`
      select 9007199254740993::int8 as i, '2026-01-02'::date as d,
             '2026-01-02 03:04:05.678+00'::timestamptz as ts, '{"a":[1,{"b":null}]}'::jsonb as j`.execute(t.db);
    const row = rows[0];
    assert.equal(row?.i, '9007199254740993', 'int8 as an exact string');
    assert.equal(row?.d, '2026-01-02', 'date as text, free of time-zone shifts');
    assert.ok(row?.ts instanceof Date);
    assert.equal(row.ts.toISOString(), '2026-01-02T03:04:05.678Z');
    assert.deepEqual(row.j, { a: [1, { b: null }] });
  });

  void test('checkDb answers', async () => {
    const { latencyMs } = await checkDb(t.db);
    assert.ok(latencyMs >= 0);
  });

  void test('upsertLead inserts, then updates the same row and bumps updated_at', async () => {
    const lead = newLead({ campaign_id: 'c-1', first_name: 'Ada' });
    const first = await upsertLead(t.db, lead);
    assert.equal(first.id, lead.id);
    assert.equal(first.status, 'new');
    assert.equal(first.last_name, null);
    assert.ok(first.created_at instanceof Date);
    assert.ok(first.updated_at instanceof Date);

    await setLeadStatus(t.db, lead.id, 'qualified');
    await sleep(5); // timestamps have millisecond resolution once in JS
    const second = await upsertLead(t.db, { ...lead, first_name: 'Ada B.', payload: { n: 2 } });
    assert.equal(second.first_name, 'Ada B.');
    assert.deepEqual(second.payload, { n: 2 });
    assert.equal(second.status, 'qualified', 'an upsert without status keeps the current one');
    assert.equal(second.campaign_id, 'c-1');
    assert.equal(second.created_at.getTime(), first.created_at.getTime());
    assert.ok(second.updated_at > first.updated_at, 'updated_at moves forward');

    const count = await t.db
      .selectFrom('leads')
      .where('id', '=', lead.id)
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    assert.equal(count.n, '1', 'one row; int8 comes back as a string on both kinds');
    assert.deepEqual(await getLead(t.db, lead.id), second);
    assert.equal(await getLead(t.db, 'no-such-lead'), undefined);
  });

  void test('jsonb round-trips a nested payload, given as object or as JSON text', async () => {
    const payload = {
      contact: { name: 'Zoë Ñandú', emails: ['a@example.com', 'b@example.com'] },
      vehicles: [{ year: 2024, trims: ['base', { name: 'sport', extras: [] }] }],
      score: 0.75,
      big: 9007199254740991,
      negative: -3,
      flag: false,
      nothing: null,
      quote: 'he said "hi"\nbye \\ done',
      empty: {},
    };
    const lead = newLead({ payload });
    assert.deepEqual((await upsertLead(t.db, lead)).payload, payload);
    assert.deepEqual((await getLead(t.db, lead.id))?.payload, payload);

    const asText = newLead({ payload: JSON.stringify(payload) });
    assert.deepEqual((await upsertLead(t.db, asText)).payload, payload);

    // A top-level JSON array is where pg's default parameter encoding goes wrong.
    await recordLeadEvent(t.db, { leadId: lead.id, eventKey: 'arr', type: 'note', detail: [1, 'two', { three: 3 }] });
    const [event] = await listLeadEvents(t.db, lead.id);
    assert.deepEqual(event?.detail, [1, 'two', { three: 3 }]);
  });

  void test('recordLeadEvent with the same key twice stores one event', async () => {
    const lead = await upsertLead(t.db, newLead());
    const first = await recordLeadEvent(t.db, { leadId: lead.id, eventKey: 'scored', type: 'scored', detail: { tier: 'A' } });
    const again = await recordLeadEvent(t.db, { leadId: lead.id, eventKey: 'scored', type: 'scored', detail: { tier: 'B' } });
    assert.deepEqual(first, { inserted: true });
    assert.deepEqual(again, { inserted: false });
    const events = await listLeadEvents(t.db, lead.id);
    assert.equal(events.length, 1);
    assert.deepEqual(events[0]?.detail, { tier: 'A' }, 'the retry did not overwrite the first write');
    assert.equal(typeof events[0]?.id, 'string');
    assert.match(events[0]?.id ?? '', /^\d+$/);
    assert.ok(events[0]?.occurred_at instanceof Date);

    await recordLeadEvent(t.db, { leadId: lead.id, eventKey: 'bare', type: 'note' });
    assert.deepEqual((await listLeadEvents(t.db, lead.id))[1]?.detail, {}, 'detail defaults to {}');
  });

  void test('listLeadEvents orders by occurred_at, then id', async () => {
    const lead = await upsertLead(t.db, newLead());
    const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
    await recordLeadEvent(t.db, { leadId: lead.id, eventKey: 'c', type: 't', occurredAt: at(30) });
    await recordLeadEvent(t.db, { leadId: lead.id, eventKey: 'a', type: 't', occurredAt: at(10) });
    await recordLeadEvent(t.db, { leadId: lead.id, eventKey: 'b2', type: 't', occurredAt: at(20) });
    await recordLeadEvent(t.db, { leadId: lead.id, eventKey: 'b1', type: 't', occurredAt: at(20) });
    const events = await listLeadEvents(t.db, lead.id);
    assert.deepEqual(
      events.map((e) => e.event_key),
      ['a', 'b2', 'b1', 'c'],
    );
    assert.equal(events[0]?.occurred_at.toISOString(), '2026-01-01T00:00:10.000Z');
  });

  void test('setLeadStatus sets status and, when given, tier', async () => {
    const lead = await upsertLead(t.db, newLead());
    assert.equal((await setLeadStatus(t.db, lead.id, 'scored', 'A'))?.tier, 'A');
    const kept = await setLeadStatus(t.db, lead.id, 'assigned');
    assert.deepEqual([kept?.status, kept?.tier], ['assigned', 'A']);
    assert.equal((await setLeadStatus(t.db, lead.id, 'lost', null))?.tier, null);
    assert.equal(await setLeadStatus(t.db, 'no-such-lead', 'lost'), undefined);
  });

  void test('listLeads filters by status and campaign, newest first, with paging', async () => {
    const campaign = `camp-${Math.random().toString(36).slice(2, 8)}`;
    const ids: string[] = [];
    for (const status of ['new', 'qualified', 'qualified', 'lost']) {
      const lead = await upsertLead(t.db, newLead({ campaign_id: campaign, status }));
      ids.push(lead.id);
      await sleep(2);
    }
    await upsertLead(t.db, newLead({ campaign_id: 'other', status: 'qualified' }));

    const all = await listLeads(t.db, { campaignId: campaign, limit: 10, offset: 0 });
    assert.deepEqual(
      all.map((l) => l.id),
      [...ids].reverse(),
    );
    const qualified = await listLeads(t.db, { campaignId: campaign, status: 'qualified', limit: 10, offset: 0 });
    assert.deepEqual(
      qualified.map((l) => l.id),
      [ids[2], ids[1]],
    );
    const page2 = await listLeads(t.db, { campaignId: campaign, limit: 2, offset: 2 });
    assert.deepEqual(
      page2.map((l) => l.id),
      [ids[1], ids[0]],
    );
    const byStatus = await listLeads(t.db, { status: 'lost', limit: 500, offset: 0 });
    assert.ok(byStatus.every((l) => l.status === 'lost') && byStatus.some((l) => l.id === ids[3]));
    await assert.rejects(listLeads(t.db, { limit: 0, offset: 0 }), RangeError);
    await assert.rejects(listLeads(t.db, { limit: 10, offset: -1 }), RangeError);
  });

  void test('deleting a lead deletes its events', async () => {
    const lead = await upsertLead(t.db, newLead());
    await recordLeadEvent(t.db, { leadId: lead.id, eventKey: 'x', type: 'note' });
    await t.db.deleteFrom('leads').where('id', '=', lead.id).execute();
    assert.deepEqual(await listLeadEvents(t.db, lead.id), []);
  });

  void test('20 concurrent callers, transactions included, all succeed', async () => {
    const base = await upsertLead(t.db, newLead());
    const results = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        switch (i % 4) {
          case 0:
            return (await upsertLead(t.db, newLead({ campaign_id: 'conc' }))).id;
          case 1:
            return (await recordLeadEvent(t.db, { leadId: base.id, eventKey: `k${i}`, type: 'c' })).inserted;
          case 2:
            return t.db.transaction().execute(async (trx) => {
              const lead = await upsertLead(trx, newLead({ campaign_id: 'conc' }));
              await sleep(1); // yield mid-transaction so other callers really interleave
              return (await recordLeadEvent(trx, { leadId: lead.id, eventKey: 'created', type: 'c' })).inserted;
            });
          default:
            return (await getLead(t.db, base.id))?.id;
        }
      }),
    );
    assert.equal(results.length, 20);
    assert.ok(results.every((r) => r !== undefined && r !== false));
    assert.equal((await listLeadEvents(t.db, base.id)).length, 5);
    assert.equal((await listLeads(t.db, { campaignId: 'conc', limit: 100, offset: 0 })).length, 10);
  });

  // PGlite-only behaviour: defined for that kind alone rather than reported as skipped elsewhere.
  if (t.kind === 'pglite') {
    void test('a second opener of the same PGlite directory is refused', async () => {
      await assert.rejects(createDb({ dataDir: t.dataDir ?? '' }), /already open by this process/);
      await checkDb(t.db); // the refused attempt left the open database alone
    });

    void test('checkDb times out while the single PGlite connection is held', async () => {
      let release!: () => void;
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      const trx = t.db.transaction().execute(async (tx) => {
        await sql`select 1`.execute(tx);
        await held;
      });
      await sleep(10);
      await assert.rejects(checkDb(t.db, 50), /did not answer within 50 ms/);
      release();
      await trx;
      await checkDb(t.db);
    });
  }
});
