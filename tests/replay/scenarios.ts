// The lead workflow paths whose histories are committed: each returns the finished workflow's ID.
import type { Client } from '@temporalio/client';
import { campaignLeadId, startCampaignLead, stopCampaignLead } from '../../temporal/campaign-leads.js';
import { leadHandle, stopLead, submitLead } from '../../temporal/lead-client.js';
import type { LeadInput } from '../../workflows/lead/contract.js';
import { TEST_LEAD_ID_SECRET, testIdentity } from '../helpers/codec.js';

type MakeInput = (o?: Partial<LeadInput>) => LeadInput;
/** A workflow ID (its latest run is recorded), or one ID with several runs (continue-as-new), each recorded. */
export type Recorded = string | { workflowId: string; runIds: string[] };
export interface Scenario {
  name: string;
  /** The history's directory under histories/ (default LEAD_WORKFLOW_TYPE, leadWorkflowV2). */
  workflowType?: string;
  run(client: Client, taskQueue: string, make: MakeInput): Promise<Recorded>;
}

// Fixed contact data: committed histories must not carry anything that looks like a real person.
const fixed = (make: MakeInput, id: string, o: Partial<LeadInput> = {}) =>
  make({ externalId: id, contact: { firstName: 'Test', lastName: 'Lead', email: `${id}@example.com`, phone: '+15555550100' }, ...o });

export const leadScenarios: Scenario[] = [
  {
    name: 'stop-signal',
    async run(client, taskQueue, make) {
      const { leadId } = await submitLead(client, fixed(make, 'replay-stop'), { identity: testIdentity, taskQueue, arrivalId: 'arrival-1' });
      await stopLead(client, leadId, { reason: 'customer bought', by: 'operator' });
      await leadHandle(client, leadId).result();
      return leadId;
    },
  },
  {
    name: 'duplicate-arrivals-then-stop',
    async run(client, taskQueue, make) {
      const input = fixed(make, 'replay-dup');
      const { leadId } = await submitLead(client, input, { identity: testIdentity, taskQueue, arrivalId: 'arrival-1' });
      await submitLead(client, input, { identity: testIdentity, taskQueue, arrivalId: 'arrival-1' });
      await submitLead(client, input, { identity: testIdentity, taskQueue, arrivalId: 'arrival-2' });
      await new Promise((r) => setTimeout(r, 1000));
      await stopLead(client, leadId, { reason: 'duplicate test', by: 'operator' });
      await leadHandle(client, leadId).result();
      return leadId;
    },
  },
  {
    name: 'expired',
    async run(client, taskQueue, make) {
      const { leadId } = await submitLead(client, fixed(make, 'replay-expire', { waitFor: '2 seconds' }), {
        identity: testIdentity,
        taskQueue,
        arrivalId: 'arrival-1',
      });
      await leadHandle(client, leadId).result();
      return leadId;
    },
  },
  {
    // Started deferred (a campaign's first step an hour away), then stopped with a signal-with-start:
    // the stop arrives with the first workflow task, and the lead is stored and ends at once,
    // without enrichment or scoring (workflows/lead/stopped-early.ts).
    name: 'stopped-before-start',
    async run(client, taskQueue, make) {
      const input = fixed(make, 'replay-stopped-early');
      const leadId = campaignLeadId(TEST_LEAD_ID_SECRET, input);
      await startCampaignLead(client, input, { leadId, taskQueue, startDelayMs: 3_600_000 });
      await stopCampaignLead(client, input, { leadId, taskQueue, stop: { reason: 'campaign cancelled', by: 'operator' } });
      await leadHandle(client, leadId).result();
      return leadId;
    },
  },
];
