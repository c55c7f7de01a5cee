// The outbox claim's one statement (db/repositories/outbox.ts) on both database kinds: a new key
// stores the row and returns it; a repeat returns the row as first stored, whatever the repeat
// carried; many claims of one key at once all get that one row.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { claimOutbox, getOutbox, type OutboxClaim } from '../../db/index.js';
import { forEachDatabase } from '../helpers/databases.js';
import { uniqueName } from '../helpers/temporal.js';

const claimOf = (key: string, body: string): OutboxClaim => ({
  idempotencyKey: key,
  leadId: 'lead:claim',
  step: 2,
  channel: 'email',
  provider: 'smtp',
  recipient: 'claim@example.com',
  subject: 'hello',
  body,
  messageId: `<${key}@example.com>`,
  inboxId: 'inbox-a',
  campaignId: null,
  variant: 'B',
});

forEachDatabase('outbox claim', (t) => {
  void test('a new key is stored and returned; a repeat returns the first row unchanged', async () => {
    const key = uniqueName('claim');
    const first = await claimOutbox(t.db, claimOf(key, 'first body'));
    assert.equal(first.idempotency_key, key);
    assert.equal(first.status, 'pending');
    assert.equal(first.in_flight, false);
    assert.equal(first.body, 'first body');
    assert.equal(first.variant, 'B');
    assert.ok(first.created_at instanceof Date);
    assert.deepEqual(first, await getOutbox(t.db, key), 'the returned row is the stored row');

    const again = await claimOutbox(t.db, { ...claimOf(key, 'a retry drafted differently'), provider: 'sendgrid' });
    assert.deepEqual(again, first, 'a retry gets the original back, never its own values');
  });

  void test('ten claims of one key at once store one row and all return it', async () => {
    const key = uniqueName('claim');
    const rows = await Promise.all(Array.from({ length: 10 }, (_, i) => claimOutbox(t.db, claimOf(key, `body ${i}`))));
    const bodies = new Set(rows.map((r) => r.body));
    assert.equal(bodies.size, 1, `one stored body, got ${[...bodies].join(', ')}`);
    assert.equal((await getOutbox(t.db, key))?.body, rows[0]?.body);
    const count = await t.db
      .selectFrom('outbox')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('idempotency_key', '=', key)
      .executeTakeFirstOrThrow();
    assert.equal(Number(count.n), 1);
  });
});
