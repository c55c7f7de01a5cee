// Handover paths whose histories are committed: the lead's reply starting the handover, an
// acknowledgement in time, two escalations then an acknowledgement, and no salesperson at all.
// Leads from source `replay` route to the rep record.ts creates; `replay-lonely` has none.
import type { Client } from '@temporalio/client';
import { leadHandle, queryLeadState, submitLead } from '../../temporal/lead-client.js';
import { acknowledgeSignal, handoverWorkflowId } from '../../workflows/handover/contract.js';
import { replyReceivedSignal, type LeadInput } from '../../workflows/lead/contract.js';
import type { Scenario } from './scenarios.js';
import { testIdentity } from '../helpers/codec.js';

type MakeInput = (o?: Partial<LeadInput>) => LeadInput;

async function repliedLead(client: Client, taskQueue: string, make: MakeInput, id: string, o: Partial<LeadInput> = {}): Promise<string> {
  const input = make({
    source: 'replay',
    externalId: id,
    contact: { firstName: 'Test', lastName: 'Lead', email: `${id}@example.com`, phone: null },
    payload: { vehicle: { year: 2024, make: 'Subaru', model: 'Outback' } },
    ...o,
  });
  const { leadId } = await submitLead(client, input, { identity: testIdentity, taskQueue, arrivalId: 'arrival-1' });
  for (let i = 0; i < 400 && (await queryLeadState(client, leadId)).stepsSent !== 1; i++) await new Promise((r) => setTimeout(r, 50));
  await leadHandle(client, leadId).signal(replyReceivedSignal, {
    eventId: 'r-1',
    channel: 'email',
    from: `${id}@example.com`,
    text: 'Yes, Saturday works',
    receivedAt: '2026-11-23T00:00:00.000Z',
    intent: 'interested',
  });
  await leadHandle(client, leadId).result();
  return leadId;
}

async function acknowledged(client: Client, leadId: string, afterMs = 0): Promise<string> {
  const id = handoverWorkflowId(leadId);
  await new Promise((r) => setTimeout(r, afterMs));
  await client.workflow.getHandle(id).signal(acknowledgeSignal, { by: 'rep@example.com' });
  await client.workflow.getHandle(id).result();
  return id;
}

export const handoverScenarios: Scenario[] = [
  {
    name: 'pipeline-reply-hands-over',
    async run(client, taskQueue, make) {
      const leadId = await repliedLead(client, taskQueue, make, 'replay-handover-lead');
      await acknowledged(client, leadId);
      return leadId;
    },
  },
  {
    name: 'pipeline-score-hands-over-then-reply',
    async run(client, taskQueue, make) {
      const leadId = await repliedLead(client, taskQueue, make, 'replay-handover-score', { handover: { scoreThreshold: 1 } });
      await acknowledged(client, leadId);
      return leadId;
    },
  },
  {
    name: 'acknowledged',
    workflowType: 'handoverWorkflow',
    run: async (client, taskQueue, make) => acknowledged(client, await repliedLead(client, taskQueue, make, 'replay-handover-ack')),
  },
  {
    name: 'two-escalations-then-acknowledged',
    workflowType: 'handoverWorkflow',
    run: async (client, taskQueue, make) =>
      acknowledged(client, await repliedLead(client, taskQueue, make, 'replay-handover-esc', { handover: { sla: '1 second', secondSla: '1 second' } }), 3000),
  },
  {
    name: 'unassigned',
    workflowType: 'handoverWorkflow',
    async run(client, taskQueue, make) {
      const leadId = await repliedLead(client, taskQueue, make, 'replay-handover-none', { source: 'replay-lonely' });
      const id = handoverWorkflowId(leadId);
      await client.workflow.getHandle(id).result();
      return id;
    },
  },
];
