// The embedded database served over the PostgreSQL protocol: many connections from several
// pools at once (this process's and the CLI's) must each get the answer to their own query,
// with their own parameters, and their own transaction; only a client with the generated
// password gets in; and the files are private to the owner.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { createDb, type DbHandle } from '../../db/index.js';
import { freePort } from '../../temporal/net.js';

describe('embedded database server', () => {
  let dataDir: string;
  let handle: DbHandle;
  const pools: pg.Pool[] = [];

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadflow-embedded-'));
    handle = await createDb({ dataDir, serveEmbedded: { host: '127.0.0.1', port: await freePort() } });
    for (let i = 0; i < 3; i++) pools.push(new pg.Pool({ connectionString: handle.embeddedUrl, max: 4 }));
    await pools[0]!.query('create table probe (owner text not null, n int not null)');
  });
  after(async () => {
    for (const p of pools) await p.end();
    await handle?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  test('concurrent parameterised queries from four pools each see only their own parameters', async () => {
    // Different parameter counts make an interleaved Bind fail loudly ("bind message supplies N
    // parameters"); equal counts would silently answer with another query's values, so both are checked.
    const jobs = Array.from({ length: 600 }, (_, i) => async () => {
      // Every other query is large enough to arrive in several TCP chunks, as a lead payload does.
      const pad = i % 2 === 1 ? 70_000 : 0;
      const pool = pools[i % pools.length]!;
      const arity = 1 + (i % 7);
      const params = Array.from({ length: arity }, (_, k) => `q${i}-p${k}`.padEnd(pad, 'x'));
      const select = params.map((_, k) => `$${k + 1}::text as c${k}`).join(', ');
      const { rows } = await pool.query<Record<string, string>>(`select ${select}`, params);
      assert.deepEqual(Object.values(rows[0] ?? {}), params, `query ${i} got another query's answer`);
    });
    const viaKysely = Array.from({ length: 150 }, (_, i) => async () => {
      const r = await handle.db.selectNoFrom((eb) => eb.val(`k${i}`).as('v')).executeTakeFirstOrThrow();
      assert.equal(r.v, `k${i}`);
    });
    const all = [...jobs, ...viaKysely].sort(() => Math.random() - 0.5);
    const results = await Promise.allSettled(all.map((j) => j()));
    const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    assert.deepEqual(failures.map((f) => String(f.reason)).slice(0, 5), [], `${failures.length} of ${all.length} queries failed or were mixed up`);
  });

  test('transactions from different connections do not see or end each other', async () => {
    const tx = async (owner: string, pool: pg.Pool, rows: number, commit: boolean) => {
      const client = await pool.connect();
      try {
        await client.query('begin');
        for (let n = 0; n < rows; n++) await client.query('insert into probe (owner, n) values ($1, $2)', [owner, n]);
        const seen = await client.query<{ c: string }>('select count(*)::text as c from probe where owner = $1', [owner]);
        assert.equal(seen.rows[0]?.c, String(rows), `${owner} sees its own ${rows} rows inside its transaction`);
        await client.query(commit ? 'commit' : 'rollback');
      } finally {
        client.release();
      }
    };
    await Promise.all(Array.from({ length: 24 }, (_, i) => tx(`t${i}`, pools[i % pools.length]!, 3 + (i % 4), i % 3 !== 0)));
    const { rows } = await pools[1]!.query<{ owner: string; c: string }>('select owner, count(*)::text as c from probe group by owner order by owner');
    const expected = Array.from({ length: 24 }, (_, i) => i)
      .filter((i) => i % 3 !== 0)
      .map((i) => ({ owner: `t${i}`, c: String(3 + (i % 4)) }));
    assert.deepEqual(
      rows,
      expected.sort((a, b) => a.owner.localeCompare(b.owner)),
    );
  });

  test('a client without the generated password is refused before any query', async () => {
    const url = new URL(handle.embeddedUrl!);
    for (const password of ['', 'wrong-password']) {
      url.password = password;
      const client = new pg.Client({ connectionString: url.toString(), connectionTimeoutMillis: 5000 });
      client.on('error', () => undefined);
      await assert.rejects(client.connect(), (err: Error & { code?: string }) => {
        assert.ok(err.code === '28P01' || /password/i.test(err.message), `refused for the password, got ${err.message}`);
        return true;
      });
      await client.end().catch(() => undefined);
    }
    // The right password still works after the refusals.
    assert.equal((await pools[2]!.query<{ one: number }>('select 1 as one')).rows[0]?.one, 1);
  });

  test('the data directory and everything in it are private to the owner', () => {
    const modes: Array<[string, number]> = [];
    const walk = (p: string) => {
      const st = fs.lstatSync(p);
      if (st.isSymbolicLink()) return;
      modes.push([path.relative(dataDir, p) || '.', st.mode & 0o777]);
      if (st.isDirectory()) for (const e of fs.readdirSync(p)) walk(path.join(p, e));
    };
    walk(dataDir);
    assert.ok(
      modes.some(([p]) => p === 'embedded-db.password'),
      'the password file exists',
    );
    const open = modes.filter(([, mode]) => (mode & 0o077) !== 0);
    assert.deepEqual(open, [], 'no file or directory is readable by group or others');
  });
});
