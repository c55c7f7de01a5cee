// Lead pipeline paths (the lead-pipeline-v1 patch) whose histories are committed: each signal
// path, needs_attention → retry, pause/resume, the end of a sequence and continue-as-new. Short
// delays keep them quick on the dev server; timing itself is tested on the time-skipping server.
import type { Client } from '@temporalio/client';
import { leadHandle, queryLeadState, stopLead, submitLead } from '../../temporal/lead-client.js';
import {
  autoReplySignal,
  bouncedSignal,
  complainedSignal,
  deliveredSignal,
  pauseSignal,
  replyReceivedSignal,
  resumeSignal,
  retrySignal,
  unsubscribedSignal,
  type LeadInput,
  type LeadState,
} from '../../workflows/lead/contract.js';
import type { Scenario } from './scenarios.js';
import { testIdentity } from '../helpers/codec.js';

type MakeInput = (o?: Partial<LeadInput>) => LeadInput;

// Fixed, obviously fake contact data: committed histories must not look like a real person.
const input = (make: MakeInput, id: string, o: Partial<LeadInput> = {}) =>
  make({
    source: 'replay',
    externalId: id,
    contact: { firstName: 'Test', lastName: 'Lead', email: `${id}@example.com`, phone: '+14155552671' },
    payload: { vehicle: { year: 2024, make: 'Subaru', model: 'Outback' } },
    ...o,
  });

async function until(client: Client, leadId: string, ok: (s: LeadState) => boolean): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (ok(await queryLeadState(client, leadId))) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${leadId} never reached the expected state`);
}
const firstSent = (s: LeadState) => s.stepsSent === 1 && s.status === 'waiting';

async function afterFirstSend(client: Client, taskQueue: string, make: MakeInput, id: string, act: (leadId: string) => Promise<void>): Promise<string> {
  const { leadId } = await submitLead(client, input(make, id), { identity: testIdentity, taskQueue, arrivalId: 'arrival-1' });
  await until(client, leadId, firstSent);
  await act(leadId);
  await leadHandle(client, leadId).result();
  return leadId;
}

export const pipelineScenarios: Scenario[] = [
  {
    name: 'pipeline-delivered-then-reply',
    run: (client, tq, make) =>
      afterFirstSend(client, tq, make, 'replay-pipe-reply', async (id) => {
        await leadHandle(client, id).signal(deliveredSignal, { eventId: 'd-1', kind: 'delivered', step: 1 });
        await leadHandle(client, id).signal(replyReceivedSignal, {
          eventId: 'r-1',
          channel: 'email',
          from: 'replay-pipe-reply@example.com',
          text: 'Saturday works',
          receivedAt: '2026-11-23T00:00:00.000Z',
        });
      }),
  },
  {
    name: 'pipeline-reply-not-interested',
    run: (client, tq, make) =>
      afterFirstSend(client, tq, make, 'replay-pipe-no', (id) =>
        leadHandle(client, id).signal(replyReceivedSignal, {
          eventId: 'r-1',
          channel: 'email',
          from: 'replay-pipe-no@example.com',
          text: 'Not interested',
          receivedAt: '2026-11-23T00:00:00.000Z',
          intent: 'not_interested',
        }),
      ),
  },
  {
    name: 'pipeline-auto-reply-then-stop',
    run: (client, tq, make) =>
      afterFirstSend(client, tq, make, 'replay-pipe-ooo', async (id) => {
        await leadHandle(client, id).signal(autoReplySignal, { eventId: 'o-1', returnDate: '2099-01-05', receivedAt: '2026-11-23T00:00:00.000Z' });
        await until(client, id, (s) => s.timeline?.some((t) => t.type === 'auto_reply') === true && s.status === 'waiting');
        await stopLead(client, id, { reason: 'replay', by: 'operator' });
      }),
  },
  {
    name: 'pipeline-hard-bounce',
    run: (client, tq, make) =>
      afterFirstSend(client, tq, make, 'replay-pipe-hard', (id) =>
        leadHandle(client, id).signal(bouncedSignal, { eventId: 'b-1', kind: 'hard', reason: '550 5.1.1', step: 1 }),
      ),
  },
  {
    name: 'pipeline-soft-bounce-then-stop',
    run: (client, tq, make) =>
      afterFirstSend(client, tq, make, 'replay-pipe-soft', async (id) => {
        await leadHandle(client, id).signal(bouncedSignal, { eventId: 'b-1', kind: 'soft', reason: '452 mailbox full', step: 1 });
        await until(client, id, (s) => s.timeline?.some((t) => t.type === 'bounce') === true && s.status === 'waiting');
        await stopLead(client, id, { reason: 'replay', by: 'operator' });
      }),
  },
  {
    name: 'pipeline-complaint',
    run: (client, tq, make) =>
      afterFirstSend(client, tq, make, 'replay-pipe-complaint', (id) => leadHandle(client, id).signal(complainedSignal, { eventId: 'c-1', step: 1 })),
  },
  {
    name: 'pipeline-unsubscribe',
    run: (client, tq, make) =>
      afterFirstSend(client, tq, make, 'replay-pipe-unsub', (id) => leadHandle(client, id).signal(unsubscribedSignal, { eventId: 'u-1', via: 'one-click' })),
  },
  {
    name: 'pipeline-needs-attention-retry',
    async run(client, taskQueue, make) {
      const { leadId } = await submitLead(
        client,
        input(make, 'replay-pipe-attention', { contact: { firstName: 'Test', lastName: 'Lead', email: 'replay@nowhere.invalid', phone: null } }),
        { identity: testIdentity, taskQueue, arrivalId: 'arrival-1' },
      );
      await until(client, leadId, (s) => s.status === 'needs_attention');
      await leadHandle(client, leadId).signal(retrySignal, { by: 'operator', email: 'replay-pipe-attention@example.com' });
      await until(client, leadId, firstSent);
      await stopLead(client, leadId, { reason: 'replay', by: 'operator' });
      await leadHandle(client, leadId).result();
      return leadId;
    },
  },
  {
    name: 'pipeline-pause-resume-expire',
    async run(client, taskQueue, make) {
      const sequence = [{ delay: 0 }, { delay: '2 seconds' }];
      const { leadId } = await submitLead(client, input(make, 'replay-pipe-pause', { sequence, waitFor: '8 seconds' }), {
        identity: testIdentity,
        taskQueue,
        arrivalId: 'arrival-1',
      });
      await until(client, leadId, firstSent);
      await leadHandle(client, leadId).signal(pauseSignal, { reason: 'replay', by: 'operator' });
      await until(client, leadId, (s) => s.status === 'paused');
      await new Promise((r) => setTimeout(r, 2500)); // step 2 falls due while paused
      await leadHandle(client, leadId).signal(resumeSignal, { by: 'operator' });
      await leadHandle(client, leadId).result();
      return leadId;
    },
  },
  {
    name: 'pipeline-continue-as-new',
    async run(client, taskQueue, make) {
      const sequence = [{ delay: 0 }, { delay: '1 second' }, { delay: '1 second' }];
      const { leadId } = await submitLead(client, input(make, 'replay-pipe-can', { sequence, waitFor: '5 seconds', historyLimit: 20 }), {
        identity: testIdentity,
        taskQueue,
        arrivalId: 'arrival-1',
      });
      await leadHandle(client, leadId).result();
      // Every run of the chain, oldest first: the first (fresh start), the middle ones (carry + sends), the last.
      const runs: Array<{ runId: string; startTime: Date }> = [];
      for await (const wf of client.workflow.list({ query: `WorkflowId = "${leadId}"` })) runs.push({ runId: wf.runId, startTime: wf.startTime });
      return { workflowId: leadId, runIds: runs.sort((a, b) => a.startTime.getTime() - b.startTime.getTime()).map((r) => r.runId) };
    },
  },
];
