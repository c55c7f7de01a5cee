// The inbox's hold on a send after its slot was granted, end to end (the dev server, the real lead
// worker on its own queue, PostgreSQL, the SendGrid stand-in behind a registry inbox): the send
// activity's last guard counts what really went out today against the inbox's limit and refuses
// a send over it, and a send that is refused or fails gives its slot back to the inbox.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { getInboxState, getOutbox } from '../../db/index.js';
import { updateInboxPolicy } from '../../temporal/inbox-client.js';
import { inboxEntityKey, TRANSACTIONAL_POLICY, type InboxPolicy } from '../../workflows/inbox/contract.js';
import { sendKey } from '../../workflows/lead/contract.js';
import { eventually } from '../helpers/eventually.js';
import { startInboxLeadStack, type InboxLeadStack } from '../helpers/inbox-leads.js';

describe('the inbox after a slot was granted (dev server, real lead worker)', () => {
  let s: InboxLeadStack;
  before(async () => {
    s = await startInboxLeadStack();
  });
  after(async () => {
    await s?.stop();
  });

  const acceptedFrom = (inboxId: string) => s.sendgrid.accepted.filter((m) => (m.body.from as { email?: string }).email === `sales@${inboxId}.example`);

  test("the cap reached between a slot's grant and its send: the send is refused, the slot goes back, the lead waits", async () => {
    // Two a day, 20 s apart: the second lead's slot is granted for 20 s after the first send.
    const policy: InboxPolicy = { ...TRANSACTIONAL_POLICY, dailyCap: 2, minGapSeconds: 20, jitterSeconds: 0 };
    const inbox = await s.addInbox(policy);
    const first = await s.submit(inbox);
    await s.leadUntil(first, 'the first lead sent', (st) => st.stepsSent === 1);
    // The send activity told the inbox before it completed (activities/send/ledger.ts, noteSent).
    assert.equal((await s.inboxStatus(inbox)).sentToday, 1, 'the inbox counted the send');
    const second = await s.submit(inbox);
    const waiting = await s.leadUntil(
      second,
      'the second lead holds a later slot',
      (st) => st.status === 'waiting' && st.inboxId === inbox && st.nextSendAt != null,
    );
    assert.equal((await s.inboxStatus(inbox)).grantedToday, 2, 'both slots granted');

    // While the second lead sleeps until its slot, an operator lowers the cap to 1: today is full.
    await updateInboxPolicy(s.env.client, s.inboxStart(inbox), { ...policy, dailyCap: 1 });
    await eventually('the inbox saved its new limit', async () => (await getInboxState(s.tdb.db, inboxEntityKey(inbox, s.taskQueue)))?.daily_limit === 1);
    assert.ok(Date.now() < Date.parse(waiting.nextSendAt ?? ''), 'the limit changed before the slot came due');

    const held = await s.leadUntil(second, 'the second lead refused or sent', (st) => st.status === 'waiting_for_slot' || st.stepsSent === 1, 60_000);
    assert.equal(held.status, 'waiting_for_slot', `refused by the send's last guard, not sent (${held.status}, ${held.stepsSent ?? 0} sent)`);
    assert.match(held.slotWait ?? '', /reached today's limit of 1 messages/);
    assert.equal(acceptedFrom(inbox).length, 1, 'only the first message reached the provider');
    const row = await getOutbox(s.tdb.db, sendKey(second, 1, 0));
    assert.equal(row?.status, 'pending', 'nothing was called: the message may still go out on a later day');
    assert.equal(row?.in_flight, false);
    await eventually('the refused slot went back to the inbox', async () => (await s.inboxStatus(inbox)).grantedToday === 1);
    // Requests, notes and the release all reached the inbox as inboxOps updates: not one signal,
    // which would fail the inbox's hand-over task if it landed during one.
    const events = (await s.env.client.workflow.getHandle(s.inboxWorkflowId(inbox)).fetchHistory()).events ?? [];
    assert.equal(events.filter((e) => e.workflowExecutionSignaledEventAttributes != null).length, 0);
    assert.equal((await s.inboxStatus(inbox)).sentToday, 1, 'the send counted once');
  });

  test("a send the provider refuses for good gives its slot back: the inbox's granted count goes down again", async () => {
    const inbox = await s.addInbox({ dailyCap: 5 });
    // SendGrid's answer for a sender it will never accept: permanent, no retry.
    s.sendgrid.faults.push({ status: 403, code: 'from', message: 'The from address does not match a verified Sender Identity.' });
    const lead = await s.submit(inbox);
    const stuck = await s.leadUntil(lead, 'needs_attention', (st) => st.status === 'needs_attention');
    assert.match(stuck.attention ?? '', /the provider refused step 1 \(email\)/);
    assert.equal(stuck.inboxId, inbox, 'the slot came from this inbox');
    assert.equal(acceptedFrom(inbox).length, 0);
    assert.equal((await getOutbox(s.tdb.db, sendKey(lead, 1, 0)))?.status, 'failed');

    const status = await eventually('the slot went back', async () => {
      const st = await s.inboxStatus(inbox);
      return st.grantedToday === 0 ? st : undefined;
    });
    assert.equal(status.remainingToday, 5);
    // The grant really happened and was undone: the inbox's history has the reservation and the release.
    const history = await s.env.client.workflow.getHandle(s.inboxWorkflowId(inbox)).fetchHistory();
    const names = (history.events ?? []).map(
      (e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name ?? e.workflowExecutionSignaledEventAttributes?.signalName,
    );
    // The slot's request, then its release: two inboxOps updates (inbox-batch.ts), no signal.
    assert.deepEqual(
      names.filter((n) => n != null),
      ['inboxOps', 'inboxOps'],
    );
    // The saved figures (what GET /inboxes/:id/health shows when the workflow does not answer) agree.
    await eventually(
      'the saved figures show the slot back',
      async () => (await getInboxState(s.tdb.db, inboxEntityKey(inbox, s.taskQueue)))?.granted_today === 0,
    );
  });
});
