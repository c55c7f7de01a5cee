// The lead journal's one-statement write (db/repositories/lead-journal.ts) on both database kinds:
// it must leave exactly what the event-by-event transaction it replaced left: the events once each,
// in the batch's order, the lead's last status (and last tier), and nothing at all when it fails.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getLead, listLeadEvents, upsertLead, writeLeadJournal, type JournalRow } from '../../db/index.js';
import { finalStatuses } from '../../db/repositories/lead-journal.js';
import { forEachDatabase } from '../helpers/databases.js';

let seq = 0;
const newLeadId = () => `journal-${++seq}-${Math.random().toString(36).slice(2, 8)}`;

test('the final status and tier are what applying the rows in order leaves', () => {
  const rows: JournalRow[] = [
    { leadId: 'a', eventKey: '1', type: 'scored', status: 'scored', tier: 'hot' },
    { leadId: 'a', eventKey: '2', type: 'note' },
    { leadId: 'a', eventKey: '3', type: 'drafted', status: 'drafted' },
    { leadId: 'b', eventKey: '1', type: 'x', status: 'new', tier: 'cold' },
    { leadId: 'b', eventKey: '2', type: 'y', status: 'waiting', tier: null },
    { leadId: 'c', eventKey: '1', type: 'z', tier: 'hot' },
  ];
  assert.deepEqual(
    [...finalStatuses(rows)],
    [
      ['a', { status: 'drafted', tier: 'hot' }],
      ['b', { status: 'waiting', tier: null }],
    ],
    'a tier without a status is not applied; null clears',
  );
});

forEachDatabase('lead journal write', (t) => {
  void test('one call stores the batch in order, once each, and sets the last status and tier', async () => {
    const id = newLeadId();
    await upsertLead(t.db, { id, source: 'test', payload: {} });
    const batch: JournalRow[] = [
      { leadId: id, eventKey: 'k1', type: 'enriched', detail: { n: 1 } },
      { leadId: id, eventKey: 'k2', type: 'scored', status: 'scored', tier: 'hot' },
      { leadId: id, eventKey: 'k1', type: 'repeat-in-batch' },
      { leadId: id, eventKey: 'k3', type: 'drafted', status: 'drafted' },
    ];
    assert.deepEqual(await writeLeadJournal(t.db, batch), { inserted: 3 });
    const events = await listLeadEvents(t.db, id);
    assert.deepEqual(
      events.map((e) => [e.event_key, e.type]),
      [
        ['k1', 'enriched'],
        ['k2', 'scored'],
        ['k3', 'drafted'],
      ],
    );
    assert.deepEqual(events[0]?.detail, { n: 1 });
    const lead = await getLead(t.db, id);
    assert.equal(lead?.status, 'drafted');
    assert.equal(lead?.tier, 'hot');

    // A retried activity writes the same batch again: no new event, the same status.
    assert.deepEqual(await writeLeadJournal(t.db, batch), { inserted: 0 });
    assert.equal((await listLeadEvents(t.db, id)).length, 3);
    assert.equal((await getLead(t.db, id))?.status, 'drafted');

    // A later batch with only events leaves the status alone; null clears the tier.
    assert.deepEqual(await writeLeadJournal(t.db, [{ leadId: id, eventKey: 'k4', type: 'note' }]), { inserted: 1 });
    assert.equal((await getLead(t.db, id))?.status, 'drafted');
    await writeLeadJournal(t.db, [{ leadId: id, eventKey: 'k5', type: 'cooled', status: 'waiting', tier: null }]);
    assert.equal((await getLead(t.db, id))?.tier, null);
    assert.deepEqual(await writeLeadJournal(t.db, []), { inserted: 0 });
  });

  void test('a batch that fails writes nothing: not its other events, not the status', async () => {
    const id = newLeadId();
    await upsertLead(t.db, { id, source: 'test', payload: {} });
    const before = (await getLead(t.db, id))?.status;
    await assert.rejects(
      writeLeadJournal(t.db, [
        { leadId: id, eventKey: 'ok', type: 'fine', status: 'scored' },
        { leadId: `${id}-no-such-lead`, eventKey: 'bad', type: 'orphan' }, // lead_events.lead_id references leads
      ]),
    );
    assert.deepEqual(await listLeadEvents(t.db, id), []);
    assert.equal((await getLead(t.db, id))?.status, before);
  });
});
