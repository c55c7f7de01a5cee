// Lead activities under MockActivityEnvironment on a real PostgreSQL: retries converge.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MockActivityEnvironment } from '@temporalio/testing';
// The process's runtime logger (LOG_LEVEL, tests/helpers/quiet-runtime.mjs), not the mock's own INFO console logger.
import { Runtime } from '@temporalio/worker';
import { getLead, listLeadEvents } from '../../db/index.js';
import { createLeadActivities } from '../../activities/leads/index.js';
import { makeLeadInput } from '../helpers/leads.js';
import { openTestDb, type TestDb } from '../helpers/test-db.js';

describe('lead activities', () => {
  let tdb: TestDb;
  before(async () => {
    tdb = await openTestDb();
  });
  after(async () => {
    await tdb?.close();
  });

  test('persistLead run twice (a retry after a crash) leaves one row and one received event', async () => {
    const acts = createLeadActivities({ db: tdb.db });
    const env = new MockActivityEnvironment({}, { logger: Runtime.instance().logger });
    const input = makeLeadInput();
    await env.run(acts.persistLead, { leadId: 'lead:retry-1', input, status: 'received' as const });
    await env.run(acts.persistLead, {
      leadId: 'lead:retry-1',
      input: { ...input, contact: { ...input.contact, firstName: 'Janet' } },
      status: 'received' as const,
    });
    const row = await getLead(tdb.db, 'lead:retry-1');
    assert.equal(row?.first_name, 'Janet', 'the latest data wins');
    assert.deepEqual(
      (await listLeadEvents(tdb.db, 'lead:retry-1')).map((e) => e.event_key),
      ['received'],
    );
  });

  test('recordLeadEvent is idempotent per key and updates the status with it', async () => {
    const acts = createLeadActivities({ db: tdb.db });
    const env = new MockActivityEnvironment({}, { logger: Runtime.instance().logger });
    await env.run(acts.persistLead, { leadId: 'lead:ev-1', input: makeLeadInput(), status: 'received' as const });
    const first = await env.run(acts.recordLeadEvent, {
      leadId: 'lead:ev-1',
      eventKey: 'status:waiting',
      type: 'status',
      detail: { status: 'waiting' },
      status: 'waiting' as const,
    });
    const second = await env.run(acts.recordLeadEvent, {
      leadId: 'lead:ev-1',
      eventKey: 'status:waiting',
      type: 'status',
      detail: { status: 'waiting' },
      status: 'waiting' as const,
    });
    assert.deepEqual([first, second], [{ inserted: true }, { inserted: false }]);
    assert.equal((await getLead(tdb.db, 'lead:ev-1'))?.status, 'waiting');
    assert.equal((await listLeadEvents(tdb.db, 'lead:ev-1')).length, 2);
  });

  test('an empty source is a non-retryable InvalidLeadError', async () => {
    const acts = createLeadActivities({ db: tdb.db });
    await assert.rejects(
      new MockActivityEnvironment({}, { logger: Runtime.instance().logger }).run(acts.persistLead, {
        leadId: 'lead:bad',
        input: makeLeadInput({ source: ' ' }),
        status: 'received' as const,
      }),
      (err: Error & { type?: string; nonRetryable?: boolean }) => err.type === 'InvalidLeadError' && err.nonRetryable === true,
    );
  });
});
