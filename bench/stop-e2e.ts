// The emergency stop end to end, as an operator meets it: N leads are sending through the real lead
// worker (ledger, send gate, @sendgrid/mail to the stand-in) on the dev server, and the stop is the
// control workflow's update sent through the client. Timed from the request: its acknowledgement,
// and the last call the provider receives (what "sending has stopped" means to the recipients).
// bench/stop-ack.ts times the database half alone; this one adds the update's path through
// Temporal (the control workflow's task, its activity's dispatch) under the load it stops.
// Baseline from the same run: the same stop and resume with nothing sending.
// Run: node --import tsx bench/stop-e2e.ts   (BENCH_STOP_LEADS=N, default 1,000; BENCH_STOPS=K, default 5)
import { localTransport, sendGridTransport } from '../activities/send/transports.js';
import { createSendGridSender } from '../activities/sendgrid/sender.js';
import type { Client } from '@temporalio/client';
import { emergencyStop, resumeSending } from '../temporal/control-client.js';
import { submitLead } from '../temporal/lead-client.js';
import type { SequenceStep } from '../workflows/lead/contract.js';
import { testIdentity } from '../tests/helpers/codec.js';
import { makeLeadInput } from '../tests/helpers/leads.js';
import { startDevStack } from '../tests/helpers/stack.js';
import { startSendGrid } from '../tests/helpers/standins/sendgrid.js';
import { uniqueName } from '../tests/helpers/temporal.js';
import { row, type SectionResult } from './lib/report.js';
import { isMain, pct, sleep } from './lib/stats.js';

const SEQUENCE: SequenceStep[] = [{ delay: 0, channel: 'email', ai: false, template: { subject: 'Your Outback', body: 'Hello {firstName}' } }];
const IDLE_STOPS = 5;
const r0 = (x: number) => Math.round(x);

type Split = { toAccepted: number; activityQueued: number; activityRan: number; toAck: number };
const at = (t: { seconds?: unknown; nanos?: number | null } | null | undefined) => Number(t?.seconds ?? 0) * 1000 + (t?.nanos ?? 0) / 1e6;

/** Where a stop's time went, from the control workflow's history: its last update and activity. */
async function stopSplit(client: Client, workflowId: string, requestedAt: number, ackAt: number): Promise<Split> {
  const events = (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  const last = (pick: (e: (typeof events)[number]) => unknown) => at([...events].reverse().find((e) => pick(e) != null)?.eventTime);
  const accepted = last((e) => e.workflowExecutionUpdateAcceptedEventAttributes);
  const scheduled = last((e) => e.activityTaskScheduledEventAttributes);
  const started = last((e) => e.activityTaskStartedEventAttributes);
  const completed = last((e) => e.activityTaskCompletedEventAttributes);
  return {
    toAccepted: r0(accepted - requestedAt),
    activityQueued: r0(started - scheduled),
    activityRan: r0(completed - started),
    toAck: r0(ackAt - completed),
  };
}

export async function stopEndToEnd(o: { leads: number; stops: number }): Promise<SectionResult> {
  const sg = await startSendGrid({ apiKey: 'SG.bench', latencyMs: () => 20 + Math.random() * 40 });
  const taskQueue = uniqueName('bench-stop');
  const stack = await startDevStack({
    leadWorker: {
      taskQueue,
      services: {
        transports: {
          email: sendGridTransport(createSendGridSender({ apiKey: 'SG.bench', baseUrl: sg.url }), 'sales@dealer.example.com'),
          sms: localTransport(),
        },
        stopRecheckMs: 60_000,
      },
    },
  });
  try {
    const client = stack.env.client;
    const control = { taskQueue, workflowId: uniqueName('control') };
    const stopReq = { reason: 'bench: complaint spike', by: 'bench' };
    // Baseline: the stop's round trip with nothing sending (the first also starts the control workflow).
    const idle: number[] = [];
    for (let i = 0; i <= IDLE_STOPS; i++) {
      const t = performance.now();
      await emergencyStop(client, stopReq, control);
      if (i > 0) idle.push(performance.now() - t);
      await resumeSending(client, { by: 'bench', ramp: null }, control);
    }

    // The herd: every lead's one step is due at once, so sends, slot grants and drafts queue. Each
    // stop lands once a tenth of the leads more have been accepted, and is followed by a resume.
    const submitting = (async () => {
      const inputs = Array.from({ length: o.leads }, () => makeLeadInput({ sequence: SEQUENCE }));
      for (let i = 0; i < inputs.length; i += 32)
        await Promise.all(inputs.slice(i, i + 32).map((input) => submitLead(client, input, { identity: testIdentity, taskQueue })));
    })();
    const step = Math.max(10, Math.floor(o.leads / 10));
    const stops: Array<{ toAck: number; toLastCall: number; afterAck: number; split: Split }> = [];
    for (let k = 0; k < o.stops; k++) {
      const target = sg.accepted.length + step;
      while (sg.accepted.length < target) await sleep(20);
      const requestedAt = Date.now();
      const ack = await emergencyStop(client, stopReq, control);
      const ackAt = Date.now();
      if (!ack.stopped) throw new Error('the stop was not acknowledged as stopped');
      await sleep(2_000); // in-flight calls settle; anything later would be a stray
      const since = sg.accepted.filter((m) => m.at >= requestedAt).map((m) => m.at);
      const afterAck = since.filter((t) => t > ackAt).length;
      const quiet = sg.accepted.filter((m) => m.at > ackAt + 1_000).length;
      if (quiet > 0) throw new Error(`${quiet} provider calls arrived more than a second after the ack`);
      stops.push({
        toAck: ackAt - requestedAt,
        toLastCall: since.length === 0 ? 0 : Math.max(...since) - requestedAt,
        afterAck,
        split: await stopSplit(client, control.workflowId, requestedAt, ackAt),
      });
      await resumeSending(client, { by: 'bench', ramp: null }, control);
    }
    await submitting;
    const toAck = stops.map((x) => x.toAck);
    const toLast = stops.map((x) => x.toLastCall);
    const summary = {
      bench: 'stop-e2e',
      leads: o.leads,
      stops: stops.length,
      each: stops,
      requestToAckMs: { p50: r0(pct(toAck, 50)), max: r0(Math.max(...toAck)) },
      requestToLastCallMs: { p50: r0(pct(toLast, 50)), max: r0(Math.max(...toLast)) },
      callsReceivedAfterAck: stops.reduce((n, x) => n + x.afterAck, 0),
      split: Object.fromEntries(
        (['toAccepted', 'activityQueued', 'activityRan', 'toAck'] as const).map((k) => [
          k,
          r0(
            pct(
              stops.map((x) => x.split[k]),
              50,
            ),
          ),
        ]),
      ),
      baseline: { idleStopMs: { p50: r0(pct(idle, 50)), max: r0(Math.max(...idle)) } },
    };
    return {
      id: 'stop-e2e',
      title: `Emergency stop end to end, ${o.leads} leads sending (control workflow update, dev server, lead worker)`,
      baseline: 'the same stop request with nothing sending',
      params: o,
      rows: [
        row('stop request → acknowledged, p50', 'ms', summary.requestToAckMs.p50, summary.baseline.idleStopMs.p50),
        row('stop request → acknowledged, max', 'ms', summary.requestToAckMs.max, summary.baseline.idleStopMs.p50),
        row(
          'stop request → last provider call, max',
          'ms',
          summary.requestToLastCallMs.max,
          summary.baseline.idleStopMs.p50,
          '≤ 1,000 ms with 1,000 leads sending',
        ),
        row('provider calls received after an ack (in flight at it)', '', summary.callsReceivedAfterAck, null),
      ],
      detail: summary,
    };
  } finally {
    await stack.stop();
    await sg.close();
  }
}

if (isMain(import.meta.url)) {
  const r = await stopEndToEnd({ leads: Number(process.env.BENCH_STOP_LEADS ?? 1000), stops: Number(process.env.BENCH_STOPS ?? 5) });
  console.log(JSON.stringify(r.detail));
  process.exit(0);
}
