// The lead's inbox-slot path whose histories are committed (patch lead-inbox-slots-v1): held by
// the emergency stop then sent after the resume, a first send through the implicit inbox
// answered by a reply, and a soft bounce retried after the hours the inbox's slot answer carried
// (softBounceRetryHours). The inbox entity's own paths are in inbox-scenarios.ts.
import assert from 'node:assert/strict';
import type { Client } from '@temporalio/client';
import { emergencyStop, resumeSending } from '../../temporal/control-client.js';
import { leadHandle, queryLeadState, stopLead, submitLead } from '../../temporal/lead-client.js';
import { bouncedSignal, replyReceivedSignal, type LeadInput, type LeadState } from '../../workflows/lead/contract.js';
import { testIdentity } from '../helpers/codec.js';
import type { Scenario } from './scenarios.js';

type MakeInput = (o?: Partial<LeadInput>) => LeadInput;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function untilLead(client: Client, leadId: string, ok: (s: LeadState) => boolean, what: string): Promise<LeadState> {
  for (let i = 0; i < 400; i++) {
    const s = await queryLeadState(client, leadId);
    if (ok(s)) return s;
    await sleep(50);
  }
  throw new Error(`${leadId} never reached: ${what}`);
}

const leadInput = (make: MakeInput, id: string) =>
  make({
    source: 'replay',
    externalId: id,
    contact: { firstName: 'Test', lastName: 'Lead', email: `${id}@example.com`, phone: null },
    payload: { vehicle: { year: 2024, make: 'Subaru', model: 'Outback' } },
  });

/** A lead submitted from the replay source, once its first message has gone and it waits. */
async function firstSent(client: Client, taskQueue: string, make: MakeInput, id: string): Promise<LeadState> {
  const { leadId } = await submitLead(client, leadInput(make, id), { identity: testIdentity, taskQueue, arrivalId: 'arrival-1' });
  return untilLead(client, leadId, (s) => s.stepsSent === 1 && s.status === 'waiting', 'the first message sent');
}

export const inboxSlotScenarios: Scenario[] = [
  {
    name: 'inbox-slot-stop-resume',
    async run(client, taskQueue, make) {
      // Its own control workflow id; the stop itself is the database flag every slot request reads.
      const o = { taskQueue, workflowId: 'replay-control-inbox-slot' };
      await emergencyStop(client, { reason: 'replay: complaint spike', by: 'replay-operator' }, o);
      const { leadId } = await submitLead(client, leadInput(make, 'replay-inbox-stop'), { identity: testIdentity, taskQueue, arrivalId: 'arrival-1' });
      try {
        const held = await untilLead(client, leadId, (s) => s.status === 'waiting_for_slot', 'waiting for a slot');
        assert.match(held.slotWait ?? '', /emergency stop/);
        // Long enough for the lead to ask again at least once (stopRecheckMs is 1 s in record.ts).
        await sleep(2500);
      } finally {
        await resumeSending(client, { by: 'replay-operator', ramp: null }, o);
      }
      await untilLead(client, leadId, (s) => s.stepsSent === 1 && s.status === 'waiting', 'the first message sent');
      await stopLead(client, leadId, { reason: 'replay', by: 'operator' });
      const outcome = await leadHandle(client, leadId).result();
      assert.equal(outcome.status, 'stopped');
      return leadId;
    },
  },
  {
    name: 'inbox-slot-first-send-reply',
    async run(client, taskQueue, make) {
      const sent = await firstSent(client, taskQueue, make, 'replay-inbox-reply');
      const leadId = sent.leadId;
      assert.ok(sent.inboxId, 'the lead names the inbox it sends from');
      await leadHandle(client, leadId).signal(replyReceivedSignal, {
        eventId: 'r-1',
        channel: 'email',
        from: 'replay-inbox-reply@example.com',
        text: 'Yes, Saturday works',
        receivedAt: '2026-11-23T00:00:00.000Z',
        intent: 'interested',
      });
      const outcome = await leadHandle(client, leadId).result();
      assert.equal(outcome.status, 'replied');
      return leadId;
    },
  },
  {
    // The slot answer carries the inbox's softBounceRetryHours (the implicit inbox's 24): the
    // resend is scheduled from it. Stopped while the resend waits.
    name: 'inbox-slot-soft-bounce-retry',
    async run(client, taskQueue, make) {
      const { leadId } = await firstSent(client, taskQueue, make, 'replay-inbox-soft');
      await leadHandle(client, leadId).signal(bouncedSignal, { eventId: 'b-1', kind: 'soft', reason: '452 4.2.2 mailbox full', step: 1 });
      await untilLead(client, leadId, (s) => s.timeline?.some((t) => t.type === 'bounce') === true && s.status === 'waiting', 'the resend scheduled');
      await stopLead(client, leadId, { reason: 'replay', by: 'operator' });
      assert.equal((await leadHandle(client, leadId).result()).status, 'stopped');
      return leadId;
    },
  },
];
