// A campaign's fan-out: a 10,000-prospect CSV posted to the API (the import timed), the campaign
// started, and the time from the start request until every prospect's lead workflow is started
// (every campaign_prospects row 'started'), on the dev server with the real lead worker and
// PostgreSQL. The first step is an hour away, so the leads start deferred (no workflow task until
// it is due, temporal/campaign-leads.ts): this measures the fan-out, not sending. Baseline from the
// same run: starting as many workflows of a type that only waits, on a queue with a worker, with
// the fan-out's own shape (pages of 200, FANOUT_PARALLEL starts in flight); the ratio is the
// fan-out's time over the baseline's (the suite's table: the rates'). Then the campaign is
// cancelled: the sweep wakes each deferred lead with a stop (signal-with-start) and the campaign
// closes once none is left sending; baseline: a stop signal-with-start to each baseline workflow,
// which ends it, in the same window.
// Run: npm run bench:campaign-fanout          (LEADFLOW_BENCH_PROSPECTS=N, default 10000)
import type { Client } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { campaignWorkflowId } from '../workflows/campaign/contract.js';
import pLimit from 'p-limit';
import { FANOUT_PARALLEL } from '../activities/campaigns/fanout.js';
import { testDataConverter } from '../tests/helpers/codec.js';
import { campaignSpec, prospectsCsv, startCampaignStack } from '../tests/helpers/campaigns/harness.js';
import { campaignApi, startedCount } from '../tests/helpers/campaigns/scale.js';
import { uniqueName } from '../tests/helpers/temporal.js';
import { baselineBundle } from './lib/lead-stack.js';
import { benchStopSignal, benchWaitWorkflow } from './noop-workflow.js';
import { CPU_GROUP_NAMES, CPU_GROUPS, CpuTally, perItemMs } from './lib/cpu-meter.js';
import { row, type SectionResult } from './lib/report.js';
import { isMain } from './lib/stats.js';

/** The campaign workflow's default page, and the fan-out activity's starts in flight (activities/campaigns/fanout.ts). */
const PAGE = 200;
const PARALLEL = FANOUT_PARALLEL;

const r1 = (x: number) => Math.round(x * 10) / 10;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function campaignFanout(o: { prospects: number }): Promise<SectionResult> {
  const N = o.prospects;
  const s = await startCampaignStack({ pageSize: PAGE });
  try {
    const client = s.stack.env.client;

    // Baseline: N starts of a workflow that only waits, page by page, PARALLEL at a time: half
    // before the fan-out and half after, so both see the server's store at the same mean size (it
    // slows as it grows, and the fan-out adds N workflows to it).
    const noopQueue = uniqueName('bench-noop');
    const bundle = await baselineBundle(); // holds noop-workflow.ts's benchWaitWorkflow
    // A worker runs once: one per half.
    const baselineRun = async (from: number, to: number, call: (workflowId: string) => Promise<unknown>) =>
      (
        await Worker.create({ connection: s.stack.env.nativeConnection, taskQueue: noopQueue, workflowBundle: bundle, dataConverter: testDataConverter })
      ).runUntil(async () => {
        const t = performance.now();
        for (let page = from; page < to; page += PAGE) {
          // The fan-out's sliding window within a page (activities/campaigns/fanout.ts).
          const inFlight = pLimit(PARALLEL);
          const ids = Array.from({ length: Math.min(to, page + PAGE) - page }, (_, k) => `${noopQueue}-${page + k}`);
          await Promise.all(ids.map((workflowId) => inFlight(() => call(workflowId))));
        }
        return performance.now() - t;
      });
    const start = { taskQueue: noopQueue, args: [] as [] };
    const baselineStarts = (from: number, to: number) =>
      baselineRun(from, to, (workflowId) => client.workflow.start(benchWaitWorkflow, { workflowId, ...start }));
    // As the sweep stops a lead (temporal/campaign-leads.ts): signal-with-start, which ends it.
    const baselineStops = (from: number, to: number) =>
      baselineRun(from, to, (workflowId) => client.workflow.signalWithStart(benchWaitWorkflow, { workflowId, ...start, signal: benchStopSignal }));
    const half = Math.floor(N / 2 / PAGE) * PAGE;
    // CPU by process while each side runs (bench/lib/cpu-meter.ts): which process a start costs.
    const baseCpu = new CpuTally();
    const fanCpu = new CpuTally();
    const baselineBeforeMs = await baseCpu.measure(() => baselineStarts(0, half));

    // The campaign: import, then start and wait until every lead workflow is started.
    const api = campaignApi(s.app, s.auth);
    const spec = campaignSpec({ name: `Fan-out ${N}` });
    spec.steps[0]!.delay = '1 hour';
    const id = (await api.call('POST', '/campaigns', spec)).json<{ id: string }>().id;
    const csv = prospectsCsv(N, { domain: 'fanout.example.com' });
    const ti = performance.now();
    const imported = await api.importCsv(id, csv);
    const importMs = performance.now() - ti;
    if (imported.json<{ accepted: number }>().accepted !== N) throw new Error(`import accepted ${imported.body.slice(0, 500)}`);

    const fanoutMs = await fanCpu.measure(async () => {
      const tf = performance.now();
      const started = await api.call('POST', `/campaigns/${id}/start`);
      if (started.statusCode !== 200) throw new Error(`start: ${started.body}`);
      while ((await startedCount(s.stack.tdb.db, id)) < N) await sleep(200);
      return performance.now() - tf;
    });
    const baselineMs = baselineBeforeMs + (await baseCpu.measure(() => baselineStarts(half, N)));
    const pages = await activitySplit(client, campaignWorkflowId(id), 'startLeadsPage');

    // The cancel sweep, its baseline's stops again split before and after it.
    const stopsBeforeMs = await baselineStops(0, half);
    const tc = performance.now();
    const cancel = await api.call('POST', `/campaigns/${id}/cancel`, { reason: 'benchmark' });
    if (cancel.statusCode !== 200) throw new Error(`cancel: ${cancel.body}`);
    while ((await api.status(id)).status !== 'cancelled') await sleep(200);
    const cancelMs = performance.now() - tc;
    const stopsMs = stopsBeforeMs + (await baselineStops(half, N));
    const sweep = await activitySplit(client, campaignWorkflowId(id), 'stopCampaignLeads');

    const summary = {
      bench: 'campaign-fanout',
      prospects: N,
      csvBytes: Buffer.byteLength(csv),
      importSeconds: r1(importMs / 1000),
      fanout: { seconds: r1(fanoutMs / 1000), leadsPerSecond: r1(N / (fanoutMs / 1000)) },
      baseline: { seconds: r1(baselineMs / 1000), startsPerSecond: r1(N / (baselineMs / 1000)) },
      ratio: r1(fanoutMs / baselineMs),
      // Where the fan-out's time went: inside the page activities, and between them (the campaign
      // workflow's tasks, its continue-as-new, the activity dispatch).
      pages: { count: pages.count, inActivitiesSeconds: r1(pages.inActivitiesMs / 1000), betweenSeconds: r1(fanoutMs / 1000 - pages.inActivitiesMs / 1000) },
      // Cancel → the campaign closed (every lead stopped, none sending); the sweep's pages alone.
      cancel: { seconds: r1(cancelMs / 1000), sweepSeconds: r1(sweep.inActivitiesMs / 1000), pages: sweep.count },
      baselineStops: { seconds: r1(stopsMs / 1000), ratio: r1(cancelMs / stopsMs) },
      cpuMsPerStart: { fanout: perItemMs(fanCpu.sum, N), baseline: perItemMs(baseCpu.sum, N) },
    };
    return {
      id: 'campaign-fanout',
      title: `Campaign fan-out, ${N.toLocaleString('en-US')} prospects`,
      baseline: `as many starts of a workflow that only waits, pages of ${PAGE}, ${PARALLEL} in flight`,
      params: { ...o, page: PAGE, parallel: PARALLEL },
      rows: [
        row('CSV import (POST /campaigns/:id/prospects)', 's', summary.importSeconds, null),
        row('start → every lead started', 's', summary.fanout.seconds, summary.baseline.seconds, '≤ 60 s at 10,000'),
        row('leads started per second', '/s', summary.fanout.leadsPerSecond, summary.baseline.startsPerSecond, '≥ 0.8 of baseline'),
        row('cancel → campaign cancelled, every lead stopped', 's', summary.cancel.seconds, summary.baselineStops.seconds),
        ...(['total', ...CPU_GROUPS] as const).map((g) =>
          row(
            `CPU per start, ${g === 'total' ? 'all processes' : CPU_GROUP_NAMES[g]}`,
            'ms',
            summary.cpuMsPerStart.fanout?.[g] ?? null,
            summary.cpuMsPerStart.baseline?.[g] ?? null,
          ),
        ),
      ],
      detail: summary,
    };
  } finally {
    await s.stop();
  }
}

if (isMain(import.meta.url)) {
  const N = Number(process.env.LEADFLOW_BENCH_PROSPECTS ?? 10_000);
  const summary = (await campaignFanout({ prospects: N })).detail as {
    csvBytes: number;
    importSeconds: number;
    fanout: { seconds: number; leadsPerSecond: number };
    baseline: { seconds: number; startsPerSecond: number };
    ratio: number;
    pages: { count: number; inActivitiesSeconds: number; betweenSeconds: number };
    cancel: { seconds: number; sweepSeconds: number; pages: number };
    baselineStops: { seconds: number; ratio: number };
    cpuMsPerStart: { fanout: Record<string, number> | null; baseline: Record<string, number> | null };
  };
  console.log(`${N} prospects, CSV ${(summary.csvBytes / 1024).toFixed(0)} KB`);
  console.log(`import (POST /campaigns/:id/prospects)   ${summary.importSeconds} s`);
  console.log(`fan-out: start to every lead started     ${summary.fanout.seconds} s, ${summary.fanout.leadsPerSecond} leads/s`);
  console.log(
    `baseline: ${N} waiting workflows started  ${summary.baseline.seconds} s, ${summary.baseline.startsPerSecond} starts/s (pages of ${PAGE}, ${PARALLEL} at a time)`,
  );
  console.log(`ratio fan-out / baseline                 ${summary.ratio}x`);
  console.log(`fan-out pages: ${summary.pages.count}, ${summary.pages.inActivitiesSeconds} s inside them, ${summary.pages.betweenSeconds} s between`);
  console.log(
    `cancel to campaign cancelled               ${summary.cancel.seconds} s (${summary.cancel.pages} sweep pages, ${summary.cancel.sweepSeconds} s inside them)`,
  );
  console.log(`baseline: a stop to each waiting workflow  ${summary.baselineStops.seconds} s; ratio ${summary.baselineStops.ratio}x`);
  console.log(`CPU per start (ms), fan-out: ${JSON.stringify(summary.cpuMsPerStart.fanout)}`);
  console.log(`CPU per start (ms), baseline: ${JSON.stringify(summary.cpuMsPerStart.baseline)}`);
  console.log(JSON.stringify(summary));
}

/** One activity type's runs in the campaign's workflow, across its continue-as-new chain: how many, and their time started → completed. */
async function activitySplit(client: Client, workflowId: string, activity: string): Promise<{ count: number; inActivitiesMs: number }> {
  let count = 0;
  let inActivitiesMs = 0;
  let runId: string | undefined = (await client.workflow.getHandle(workflowId).describe()).raw.workflowExecutionInfo?.firstRunId ?? undefined;
  while (runId !== undefined) {
    const events = (await client.workflow.getHandle(workflowId, runId).fetchHistory()).events ?? [];
    const at = (e: (typeof events)[number]) => Number(e.eventTime?.seconds ?? 0) * 1000 + Math.floor((e.eventTime?.nanos ?? 0) / 1e6);
    const pageStarted = new Map<string, number>();
    const scheduled = new Set(events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === activity).map((e) => String(e.eventId)));
    for (const e of events) {
      const st = e.activityTaskStartedEventAttributes;
      if (st && scheduled.has(String(st.scheduledEventId))) pageStarted.set(String(st.scheduledEventId), at(e));
      const done = e.activityTaskCompletedEventAttributes;
      const began = done ? pageStarted.get(String(done.scheduledEventId)) : undefined;
      if (began !== undefined) {
        count += 1;
        inActivitiesMs += at(e) - began;
      }
    }
    runId = events.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
  }
  return { count, inActivitiesMs };
}
