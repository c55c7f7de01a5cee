// Campaign workflow paths whose histories are committed: a plain run (pages, monitor, close), a
// pause and resume in the fan-out, a cancel (the daily cap's wait woken, the sweep, cancelled),
// a cancel that wakes deferred leads, an import during the monitor (back to the fan-out) and a run
// that continues as new; plus campaign leads (its A/B variant drafted and sent, the campaign's
// reply wait; stopped while deferred; paused, resumed and stopped while deferred) as leadWorkflowV2 histories. The campaign rows go straight into the recording's database (tests/helpers/campaigns/
// seed.ts); each campaign has a fixed ID, so its leads' opaque IDs are the same on every recording.
import assert from 'node:assert/strict';
import type { Client } from '@temporalio/client';
import type { Kysely } from 'kysely';
import { getCampaign, transitionCampaign, type Database } from '../../db/index.js';
import type { CampaignSpec } from '../../domain/campaigns/spec.js';
import {
  queryCampaignState,
  signalCampaignCancel,
  signalCampaignPause,
  signalCampaignResume,
  signalProspectsAdded,
  startCampaignWorkflow,
  type CampaignWorkflowOptions,
} from '../../temporal/campaign-client.js';
import { leadHandle, queryLeadState } from '../../temporal/lead-client.js';
import { pauseSignal, resumeSignal, retrySignal } from '../../workflows/lead/contract.js';
import { signalIfScheduled } from '../../api/campaigns/wake-scheduled.js';
import { campaignWorkflowId, type CampaignRunState, type CampaignTotals } from '../../workflows/campaign/contract.js';
import { campaignSpec } from '../helpers/campaigns/harness.js';
import { importProspects, seedRunningCampaign, testProspects } from '../helpers/campaigns/seed.js';

export interface CampaignRecording {
  workflowId: string;
  /** Every run of the campaign's workflow, oldest first (several after continue-as-new). */
  runIds: string[];
  /** One of its leads, recorded under histories/leadWorkflowV2/<name>.json. */
  lead?: { name: string; leadId: string };
}
export interface CampaignScenario {
  name: string;
  /** The name its lead is recorded under, when it records one (known before it runs). */
  leadName?: string;
  run(ctx: { client: Client; db: Kysely<Database>; taskQueue: string }): Promise<CampaignRecording>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A second a poll: the recordings take seconds, not minutes. */
const FAST: CampaignWorkflowOptions = { pageSize: 2, pollMs: 1_000 };

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string): Promise<T> {
  for (let i = 0; i < 600; i++) {
    const v = await read();
    if (ok(v)) return v;
    await sleep(50);
  }
  throw new Error(`never reached: ${what}`);
}
const stateOf = (client: Client, campaignId: string) => () => queryCampaignState(client, campaignId);
const untilState = (client: Client, campaignId: string, ok: (s: CampaignRunState) => boolean, what: string) =>
  until(stateOf(client, campaignId), ok, `${campaignId} ${what}`);

/** Every run of a continue-as-new chain, oldest first, followed through each run's last event. */
async function runChain(client: Client, workflowId: string): Promise<string[]> {
  const first = (await client.workflow.getHandle(workflowId).describe()).raw.workflowExecutionInfo?.firstRunId;
  assert.ok(first, `${workflowId} names its first run`);
  const runs = [first];
  for (;;) {
    const history = await client.workflow.getHandle(workflowId, runs[runs.length - 1]).fetchHistory();
    const next = history.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId;
    if (!next) return runs;
    runs.push(next);
  }
}

/** Starts the seeded campaign's workflow, lets `steer` act on it, and waits for its end. */
async function runCampaign(
  ctx: Parameters<CampaignScenario['run']>[0],
  id: string,
  opts: CampaignWorkflowOptions,
  steer: () => Promise<void> = async () => {},
): Promise<{ totals: CampaignTotals; workflowId: string; runIds: string[] }> {
  await startCampaignWorkflow(ctx.client, id, { taskQueue: ctx.taskQueue, ...opts });
  await steer();
  const totals = (await ctx.client.workflow.getHandle(campaignWorkflowId(id)).result()) as CampaignTotals;
  return { totals, workflowId: campaignWorkflowId(id), runIds: await runChain(ctx.client, campaignWorkflowId(id)) };
}

const firstLeadOf = async (db: Kysely<Database>, campaignId: string): Promise<string> => {
  const row = await db.selectFrom('campaign_prospects').select('lead_id').where('campaign_id', '=', campaignId).orderBy('seq').executeTakeFirst();
  assert.ok(row?.lead_id, `${campaignId} started a lead`);
  return row.lead_id;
};

export const campaignScenarios: CampaignScenario[] = [
  {
    // A step edited by hand after validation so no variant renders: the campaign lead waits in
    // needs_attention (patch lead-campaign-draft-hold-v1) instead of sending the built-in text;
    // the campaign is fixed, the lead retried, and it sends its campaign's own steps. The lead's
    // history is recorded as campaign-draft-held-retry.
    name: 'draft-held-retry',
    leadName: 'campaign-draft-held-retry',
    async run(ctx) {
      const id = 'cmp_replayheld';
      const good = campaignSpec({ name: 'Replay: a step that does not render' });
      const [first, ...rest] = good.steps;
      assert.ok(first !== undefined);
      const broken = { ...good, steps: [{ ...first, variants: [{ id: 'A', weight: 1, subject: 'Hi {{ frstName }}', body: 'Hello' }] }, ...rest] };
      await seedRunningCampaign(ctx.db, id, broken, testProspects('replay-held', 1));
      const { totals, ...recorded } = await runCampaign(ctx, id, FAST, async () => {
        const leadId = await until(
          async () => (await ctx.db.selectFrom('campaign_prospects').select('lead_id').where('campaign_id', '=', id).executeTakeFirst())?.lead_id ?? null,
          (v) => v !== null,
          'the lead started',
        );
        assert.ok(leadId !== null);
        await until(
          () => queryLeadState(ctx.client, leadId),
          (s) => s.status === 'needs_attention',
          `${leadId} held`,
        );
        await ctx.db.updateTable('campaigns').set({ spec: good }).where('id', '=', id).execute();
        await leadHandle(ctx.client, leadId).signal(retrySignal, { by: 'replay-operator' });
      });
      assert.deepEqual([totals.started, totals.finished], [1, 1]);
      return { ...recorded, lead: { name: 'campaign-draft-held-retry', leadId: await firstLeadOf(ctx.db, id) } };
    },
  },
  {
    name: 'finished',
    leadName: 'campaign-ab-final-wait',
    async run(ctx) {
      const id = 'cmp_replayfinished';
      await seedRunningCampaign(ctx.db, id, campaignSpec({ name: 'Replay: finished' }), testProspects('replay-finished', 4));
      const { totals, ...recorded } = await runCampaign(ctx, id, FAST);
      assert.deepEqual([totals.started, totals.finished, totals.pending], [4, 4, 0]);
      assert.equal((await getCampaign(ctx.db, id))?.status, 'finished');
      return { ...recorded, lead: { name: 'campaign-ab-final-wait', leadId: await firstLeadOf(ctx.db, id) } };
    },
  },
  {
    // Paused by the operator as the campaign starts: the first page finds it paused in the
    // database, the signal holds the fan-out until the resume, which fans out the rest.
    name: 'pause-resume-fanout',
    async run(ctx) {
      const id = 'cmp_replaypauseresume';
      await seedRunningCampaign(ctx.db, id, campaignSpec({ name: 'Replay: pause and resume' }), testProspects('replay-pause', 3));
      await transitionCampaign(ctx.db, id, 'pause', { by: 'replay-operator', reason: null });
      const { totals, ...recorded } = await runCampaign(ctx, id, FAST, async () => {
        await signalCampaignPause(ctx.client, id, 'replay-operator');
        const held = await untilState(ctx.client, id, (s) => s.waiting === 'paused', 'held by the pause');
        assert.equal(held.totals, null, 'nothing counted yet: the fan-out has not started anyone');
        await transitionCampaign(ctx.db, id, 'resume', { by: 'replay-operator', reason: null });
        await signalCampaignResume(ctx.client, id, 'replay-operator');
      });
      assert.deepEqual([totals.started, totals.finished], [3, 3]);
      return recorded;
    },
  },
  {
    // Two leads start, the third waits for tomorrow's cap; the cancel wakes the wait, the sweep
    // skips the pending prospect and stops the two leads waiting an hour for their follow-up.
    name: 'cancel',
    async run(ctx) {
      const id = 'cmp_replaycancel';
      const base = campaignSpec({ name: 'Replay: cancel', dailyNewLeads: 2 });
      const spec: CampaignSpec = { ...base, steps: base.steps.map((s, i) => (i === 1 ? { ...s, delay: '1 hour' } : s)) };
      await seedRunningCampaign(ctx.db, id, spec, testProspects('replay-cancel', 3));
      const { totals, ...recorded } = await runCampaign(ctx, id, { ...FAST, pageSize: 5 }, async () => {
        await untilState(ctx.client, id, (s) => /daily cap/.test(s.waiting ?? ''), 'waiting for the daily cap');
        const leads = await ctx.db.selectFrom('campaign_prospects').select('lead_id').where('campaign_id', '=', id).where('status', '=', 'started').execute();
        for (const { lead_id } of leads)
          await until(
            () => queryLeadState(ctx.client, lead_id ?? ''),
            (s) => s.stepsSent === 1 && s.status === 'waiting',
            `${lead_id} sent step 1`,
          );
        await transitionCampaign(ctx.db, id, 'cancel', { by: 'replay-operator', reason: 'replay: wrong list' });
        await signalCampaignCancel(ctx.client, id, 'replay-operator', 'replay: wrong list');
      });
      assert.deepEqual([totals.started, totals.skipped, totals.finished, totals.sending], [2, 1, 2, 0]);
      assert.equal((await getCampaign(ctx.db, id))?.status, 'cancelled');
      return recorded;
    },
  },
  {
    // A first step an hour away: the leads start deferred (no workflow task until the step is due);
    // the cancel's sweep wakes them with a signal-with-start and each ends stopped at once. Its
    // first lead's history is recorded as campaign-stopped-while-deferred.
    name: 'cancel-deferred',
    leadName: 'campaign-stopped-while-deferred',
    async run(ctx) {
      const id = 'cmp_replaycanceldeferred';
      const base = campaignSpec({ name: 'Replay: cancel while deferred' });
      const spec: CampaignSpec = { ...base, steps: base.steps.map((s, i) => (i === 0 ? { ...s, delay: '1 hour' } : s)) };
      await seedRunningCampaign(ctx.db, id, spec, testProspects('replay-deferred', 2));
      const { totals, ...recorded } = await runCampaign(ctx, id, FAST, async () => {
        await untilState(ctx.client, id, (s) => s.phase === 'monitor', 'every lead started');
        await transitionCampaign(ctx.db, id, 'cancel', { by: 'replay-operator', reason: 'replay: not this quarter' });
        await signalCampaignCancel(ctx.client, id, 'replay-operator', 'replay: not this quarter');
      });
      assert.deepEqual([totals.started, totals.finished, totals.sending], [2, 2, 0]);
      const leadId = await firstLeadOf(ctx.db, id);
      const started = (await ctx.client.workflow.getHandle(leadId).fetchHistory()).events?.[0]?.workflowExecutionStartedEventAttributes;
      assert.ok(Number(started?.firstWorkflowTaskBackoff?.seconds ?? 0) > 3000, 'the lead was started deferred');
      return { ...recorded, lead: { name: 'campaign-stopped-while-deferred', leadId } };
    },
  },
  {
    // A pause to a lead still deferred wakes it (api/campaigns/wake-scheduled.ts): its first task
    // runs with the pause and it waits paused; resumed, it waits for its step; the campaign's
    // cancel stops it. Its history is recorded as campaign-paused-while-deferred.
    name: 'pause-deferred',
    leadName: 'campaign-paused-while-deferred',
    async run(ctx) {
      const id = 'cmp_replaypausedeferred';
      const base = campaignSpec({ name: 'Replay: pause while deferred' });
      const spec: CampaignSpec = { ...base, steps: base.steps.map((s, i) => (i === 0 ? { ...s, delay: '1 hour' } : s)) };
      await seedRunningCampaign(ctx.db, id, spec, testProspects('replay-pause-deferred', 1));
      let leadId = '';
      const leadStatus = () =>
        queryLeadState(ctx.client, leadId).then(
          (s) => s.status,
          () => null,
        );
      const { totals, ...recorded } = await runCampaign(ctx, id, FAST, async () => {
        await untilState(ctx.client, id, (s) => s.phase === 'monitor', 'its lead started');
        leadId = await firstLeadOf(ctx.db, id);
        const pause = { def: pauseSignal, arg: { reason: 'replay: on holiday', by: 'replay-operator' } };
        assert.equal(await signalIfScheduled(ctx.db, ctx.client, leadId, pause, ctx.taskQueue), true);
        await until(leadStatus, (s) => s === 'paused', 'the lead paused');
        await leadHandle(ctx.client, leadId).signal(resumeSignal, { by: 'replay-operator' });
        await until(leadStatus, (s) => s === 'waiting', 'the lead resumed');
        await transitionCampaign(ctx.db, id, 'cancel', { by: 'replay-operator', reason: 'replay: not this quarter' });
        await signalCampaignCancel(ctx.client, id, 'replay-operator', 'replay: not this quarter');
      });
      assert.deepEqual([totals.started, totals.finished, totals.sending], [1, 1, 0]);
      return { ...recorded, lead: { name: 'campaign-paused-while-deferred', leadId } };
    },
  },
  {
    name: 'prospects-added-during-monitor',
    async run(ctx) {
      const id = 'cmp_replayprospectsadded';
      await seedRunningCampaign(ctx.db, id, campaignSpec({ name: 'Replay: prospects added' }), testProspects('replay-added', 2));
      const { totals, ...recorded } = await runCampaign(ctx, id, FAST, async () => {
        await untilState(ctx.client, id, (s) => s.phase === 'monitor', 'counting its leads');
        const importId = await importProspects(ctx.db, id, testProspects('replay-added', 2, 3));
        await signalProspectsAdded(ctx.client, id, importId);
      });
      assert.deepEqual([totals.imported, totals.started, totals.finished], [4, 4, 4]);
      return recorded;
    },
  },
  {
    name: 'continue-as-new',
    async run(ctx) {
      const id = 'cmp_replaycontinueasnew';
      const base = campaignSpec({ name: 'Replay: continue-as-new', waitFor: '1 second' });
      const spec: CampaignSpec = { ...base, steps: base.steps.map((s) => ({ ...s, delay: '1 second' })) };
      await seedRunningCampaign(ctx.db, id, spec, testProspects('replay-can', 2));
      const { totals, ...recorded } = await runCampaign(ctx, id, { ...FAST, pageSize: 1, stepsPerRun: 3 });
      assert.ok(recorded.runIds.length >= 2, `expected a successor run, got ${recorded.runIds.length}`);
      assert.deepEqual([totals.started, totals.finished], [2, 2]);
      return recorded;
    },
  },
];
