// A campaign's timing on the time-skipping server with real activities on a real PostgreSQL: the
// campaign workflow fans its prospects out, each lead sends its steps 1 and 3 days apart (server
// clock) and ends no_response 2 days after its last one, and the campaign finishes with totals
// that add up; the daily cap of new leads spreads 5 prospects over 3 days, 2 a day; and a step
// that no longer renders holds the lead in needs_attention (never the built-in dealer text) until
// the campaign is fixed and the lead retried.
// Every workflow a test starts (campaign, leads, implicit inboxes) is ended before its worker
// stops: one left waiting on a queue nobody polls would stall the next test's time skips.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { getCampaign, listOutbox, newCampaignId } from '../../db/index.js';
import type { CampaignSpec } from '../../domain/campaigns/spec.js';
import { startCampaignWorkflow } from '../../temporal/campaign-client.js';
import { leadHandle, queryLeadState } from '../../temporal/lead-client.js';
import { createLeadWorker } from '../../workers/lead-worker.js';
import { campaignWorkflowId, type CampaignTotals } from '../../workflows/campaign/contract.js';
import { retrySignal } from '../../workflows/lead/contract.js';
import { dayKey } from '../../workflows/inbox/policy/time.js';
import { campaignSpec } from '../helpers/campaigns/harness.js';
import { eventually } from '../helpers/eventually.js';
import { seedRunningCampaign, testProspects } from '../helpers/campaigns/seed.js';
import { testDataConverter } from '../helpers/codec.js';
import { recordingTransport, type RecordingTransport } from '../helpers/recording-transport.js';
import { testServices } from '../helpers/services.js';
import { createTimeSkippingEnv, implicitInboxWorkflowIds, terminateRunning, uniqueName } from '../helpers/temporal.js';
import { openTestDb, type TestDb } from '../helpers/test-db.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;
/** The monitor's recount: the server skips to each poll, so a minute would mean 10,000 polls a week. */
const POLL_MS = 12 * HOUR;

/** Step 1 at the start, step 2 a day later, step 3 three days after that; then 2 days for a reply. */
const spec = (over: Partial<CampaignSpec> = {}): CampaignSpec => {
  const base = campaignSpec();
  const [first, second] = base.steps;
  assert.ok(first !== undefined && second !== undefined);
  return {
    ...base,
    steps: [
      { ...first, delay: '0 seconds' },
      { ...second, delay: '1 day' },
      { ...second, delay: '3 days', variants: [{ id: 'L', weight: 1, subject: 'Last one, {{ firstName }}', body: 'Closing the loop. {{ senderName }}' }] },
    ],
    waitFor: '2 days',
    ...over,
  };
};

interface Run {
  env: TestWorkflowEnvironment;
  email: RecordingTransport;
  campaignId: string;
}

describe('campaign sequence (time-skipping server, real PostgreSQL)', () => {
  let tdb: TestDb;
  before(async () => {
    tdb = await openTestDb();
  });
  after(async () => {
    await tdb?.close();
  });

  const leadIdsOf = async (campaignId: string): Promise<string[]> =>
    (await tdb.db.selectFrom('campaign_prospects').select('lead_id').where('campaign_id', '=', campaignId).orderBy('seq').execute()).flatMap((r) =>
      r.lead_id !== null ? [r.lead_id] : [],
    );

  /** A server and worker per test; the campaign seeded as running; everything ended before the worker stops. */
  async function withCampaign<T>(s: CampaignSpec, prospects: number, fn: (run: Run) => Promise<T>): Promise<T> {
    const env = await createTimeSkippingEnv();
    try {
      const email = recordingTransport();
      const taskQueue = uniqueName('campaign-seq');
      const worker = await createLeadWorker({
        client: env.client,
        dataConverter: testDataConverter,
        connection: env.nativeConnection,
        namespace: 'default',
        db: tdb.db,
        taskQueue,
        services: testServices({ transports: { email, sms: recordingTransport() } }),
      });
      const campaignId = newCampaignId();
      await seedRunningCampaign(tdb.db, campaignId, s, testProspects(campaignId, prospects));
      return await worker.runUntil(async () => {
        try {
          await startCampaignWorkflow(env.client, campaignId, { taskQueue, pageSize: 10, pollMs: POLL_MS });
          return await fn({ env, email, campaignId });
        } finally {
          const ids = [campaignWorkflowId(campaignId), ...(await leadIdsOf(campaignId)), ...implicitInboxWorkflowIds(taskQueue)];
          await terminateRunning(env.client, ids);
        }
      });
    } finally {
      await env.teardown();
    }
  }

  const campaignResult = (run: Run) => run.env.client.workflow.getHandle(campaignWorkflowId(run.campaignId)).result() as Promise<CampaignTotals>;
  const closeTime = async (run: Run, workflowId: string): Promise<number> => {
    const d = await run.env.client.workflow.getHandle(workflowId).describe();
    assert.ok(d.closeTime !== undefined, `${workflowId} is closed`);
    return d.closeTime.getTime();
  };

  test('each lead sends step 1, step 2 a day later, step 3 three days after that, ends no_response 2 days on; the campaign finishes', async () => {
    await withCampaign(spec(), 3, async (run) => {
      const totals = await campaignResult(run); // skips time through every lead's timers and the polls
      assert.deepEqual(
        { ...totals },
        { imported: 3, started: 3, skipped: 0, pending: 0, sending: 0, replied: 0, bounced: 0, unsubscribed: 0, handedOver: 0, finished: 3 },
      );
      const row = await getCampaign(tdb.db, run.campaignId);
      assert.equal(row?.status, 'finished');
      assert.deepEqual(row?.totals, { ...totals }, 'the stored totals are the final count');

      const leadIds = await leadIdsOf(run.campaignId);
      assert.equal(leadIds.length, 3);
      let lastLeadEnd = 0;
      for (const leadId of leadIds) {
        const outcome = await leadHandle(run.env.client, leadId).result();
        assert.deepEqual({ status: outcome.status, stepsSent: outcome.stepsSent }, { status: 'no_response', stepsSent: 3 });
        // Workflow (server) time: the timeline is stamped by the lead workflow.
        const timeline = (await queryLeadState(run.env.client, leadId)).timeline ?? [];
        const [t1, t2, t3] = timeline.filter((t) => t.type === 'sent').map((t) => Date.parse(t.at));
        assert.ok(t1 !== undefined && t2 !== undefined && t3 !== undefined, `three sends on ${leadId}'s timeline`);
        const within = (ms: number, want: number, what: string) => assert.ok(ms >= want && ms < want + HOUR, `${what}: ${(ms / HOUR).toFixed(2)} h`);
        within(t2 - t1, DAY, 'step 2 a day after step 1');
        within(t3 - t2, 3 * DAY, 'step 3 three days after step 2');
        const end = await closeTime(run, leadId);
        within(end - t3, 2 * DAY, 'no_response 2 days after the last step');
        lastLeadEnd = Math.max(lastLeadEnd, end);

        const rows = (await listOutbox(tdb.db, { leadId, limit: 10, offset: 0 })).sort((a, b) => a.step - b.step);
        assert.deepEqual(
          rows.map((r) => [r.step, r.status, r.campaign_id]),
          [
            [1, 'sent', run.campaignId],
            [2, 'sent', run.campaignId],
            [3, 'sent', run.campaignId],
          ],
        );
        assert.ok(['A', 'B'].includes(rows[0]?.variant ?? ''), 'step 1 is one arm of the A/B test');
        assert.deepEqual(
          rows.slice(1).map((r) => r.variant),
          ['F', 'L'],
        );
      }
      assert.equal(run.email.sends.length, 9, 'one provider call per lead and step');
      // The campaign closes at the first recount after its last lead ended.
      const campaignEnd = await closeTime(run, campaignWorkflowId(run.campaignId));
      assert.ok(campaignEnd >= lastLeadEnd && campaignEnd <= lastLeadEnd + POLL_MS + HOUR, 'finished at the next recount');
    });
  });

  test('the daily cap of new leads: 2 start on day 1, 2 on day 2, 1 on day 3, and the campaign still finishes', async () => {
    await withCampaign(spec({ dailyNewLeads: 2 }), 5, async (run) => {
      const totals = await campaignResult(run);
      assert.equal(totals.started, 5);
      assert.equal(totals.finished, 5);
      assert.equal(totals.pending, 0);
      assert.equal((await getCampaign(tdb.db, run.campaignId))?.status, 'finished');

      // Each lead's start on the server clock, by day in the campaign's zone (UTC).
      const leadIds = await leadIdsOf(run.campaignId);
      const starts = await Promise.all(leadIds.map(async (id) => (await run.env.client.workflow.getHandle(id).describe()).startTime.getTime()));
      const perDay = new Map<string, number>();
      for (const t of starts) perDay.set(dayKey(t, 'UTC'), (perDay.get(dayKey(t, 'UTC')) ?? 0) + 1);
      const days = [...perDay.keys()].sort();
      assert.deepEqual(
        days.map((d) => perDay.get(d)),
        [2, 2, 1],
        `starts per day: ${JSON.stringify([...perDay])}`,
      );
      const first = Date.parse(`${days[0]}T00:00:00Z`);
      assert.deepEqual(
        days.map((d) => (Date.parse(`${d}T00:00:00Z`) - first) / DAY),
        [0, 1, 2],
        'three consecutive days',
      );
      // The prospects' started_at (what the cap counts) agrees with the leads' starts.
      const prospects = await tdb.db.selectFrom('campaign_prospects').select('started_at').where('campaign_id', '=', run.campaignId).execute();
      assert.deepEqual(
        prospects.map((p) => (p.started_at !== null ? dayKey(p.started_at.getTime(), 'UTC') : null)).sort(),
        starts.map((t) => dayKey(t, 'UTC')).sort(),
      );
      assert.equal(run.email.sends.length, 15);
    });
  });
  test('a step no variant of which renders: the lead waits in needs_attention with the reason, nothing sent; fixed and retried, it sends the campaign text', async () => {
    const good = spec();
    // As if edited by hand in the database after validation: an unknown variable.
    const broken = spec({
      steps: [{ ...good.steps[0]!, variants: [{ id: 'A', weight: 1, subject: 'Hi {{ frstName }}', body: 'Hello' }] }, ...good.steps.slice(1)],
    });
    await withCampaign(broken, 1, async (run) => {
      const [leadId] = await eventually('the lead started', async () => ((await leadIdsOf(run.campaignId)).length === 1 ? leadIdsOf(run.campaignId) : null));
      assert.ok(leadId !== undefined);
      const stuck = await eventually('needs_attention', async () => {
        const s = await queryLeadState(run.env.client, leadId);
        return s.status === 'needs_attention' ? s : null;
      });
      assert.match(
        stuck.attention ?? '',
        new RegExp(`^campaign ${run.campaignId} step 1: no variant renders for this prospect \\(variant A: unknown variable "frstName"`),
      );
      assert.match(stuck.attention ?? '', /nothing was sent: fix the campaign, then retry the lead$/);
      assert.equal(run.email.sends.length, 0, 'no built-in text went out');
      assert.deepEqual(await listOutbox(tdb.db, { leadId, limit: 10, offset: 0 }), []);

      await tdb.db.updateTable('campaigns').set({ spec: good }).where('id', '=', run.campaignId).execute();
      await leadHandle(run.env.client, leadId).signal(retrySignal, { by: 'ops@fleet.test' });
      await eventually('step 1 sent after the retry', async () => (await queryLeadState(run.env.client, leadId)).stepsSent === 1);
      assert.equal(run.email.sends.length, 1);
      const [row] = await listOutbox(tdb.db, { leadId, limit: 10, offset: 0 });
      assert.ok(['A', 'B'].includes(row?.variant ?? ''), 'sent as one arm of the step');
      // The fixed campaign's own subject for that arm, not the built-in one.
      assert.match(run.email.sends[0]?.msg.subject ?? '', row?.variant === 'A' ? /^A: hello / : /^B: a question for /);
    });
  });
});
