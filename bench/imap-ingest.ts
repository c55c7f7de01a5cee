// Arrival-to-workflow-start latency through IMAP IDLE: N ADF e-mails are APPENDed to a real IMAP
// server (GreenMail) while the watcher runs; each message's latency is from its APPEND completing
// to its lead workflow accepting it (signal-with-start returned) on a real Temporal dev server.
// Baseline, same run: the same ingest (parse + signal-with-start) called directly, no IMAP.
// With `toSend` (the suite; BENCH_TO_SEND=1 here) the real lead worker runs the leads too, and
// each is also timed to its first message accepted (the local outbox; the send activity's
// completion in its history): speed-to-lead.
// Run: npx tsx bench/imap-ingest.ts   (BENCH_N=500 by default)
import type { Client } from '@temporalio/client';
import { createLogger } from '../config/logger.js';
import { createIngestor } from '../intake/ingest.js';
import { watchMailbox } from '../activities/mail/imap-watch.js';
import { adfEmail, adfXml } from '../tests/helpers/adf.js';
import { appendMessage, startMailServer } from '../tests/helpers/mailserver.js';
import { createDevServerEnv, uniqueName } from '../tests/helpers/temporal.js';
import { benchDevServerOptions } from './lib/dev-config.js';
import { openTestDb } from '../tests/helpers/test-db.js';
import { testLeadWorker } from '../tests/helpers/lead-worker.js';
import type { IngestResult } from '../intake/ingest.js';
import { firstSendFacts, firstSends } from './lib/lead-runs.js';
import { INBOX_WORKFLOW_TYPE } from '../workflows/inbox/contract.js';
import { row, type SectionResult } from './lib/report.js';
import { dist, isMain, r1, type Dist } from './lib/stats.js';

const user = { user: 'bench@example.com', password: 'bench-secret', email: 'bench@example.com' };

export async function imapIngest(o: { emails: number; toSend: boolean }): Promise<SectionResult> {
  const N = o.emails;
  const [env, tdb, mail] = await Promise.all([createDevServerEnv(benchDevServerOptions()), openTestDb(), startMailServer({ users: [user] })]);
  const taskQueue = uniqueName('bench-leads');
  const worker = o.toSend ? await testLeadWorker(env, tdb.db, { taskQueue }) : null;
  const running = worker?.run();
  // Epoch ms each lead's clock started (APPEND done, or the direct ingest called), per kind.
  const from = { imap: new Map<string, number>(), direct: new Map<string, number>() };
  const note = (kind: 'imap' | 'direct', r: IngestResult, t0: number) => {
    for (const l of r.leads) from[kind].set(l.leadId, performance.timeOrigin + t0);
  };
  try {
    const ingest = createIngestor({
      client: env.client,
      db: tdb.db,
      log: createLogger('silent'),
      leadIdSecret: 'bench-lead-id-secret-0123456789abcdef',
      taskQueue,
    });
    const mails = await Promise.all(Array.from({ length: N }, (_, i) => adfEmail(adfXml({ id: `bench-${i}-${uniqueName('x')}` }))));

    // Baseline: the same work without IMAP (half the messages, fresh ids, to avoid merging).
    const base: number[] = [];
    const baseMails = await Promise.all(Array.from({ length: Math.ceil(N / 2) }, (_, i) => adfEmail(adfXml({ id: `base-${i}-${uniqueName('x')}` }))));
    for (const [i, raw] of baseMails.entries()) {
      const t = performance.now();
      note('direct', await ingest(raw, { source: 'cli', sourceRef: 'bench', arrivalKey: `bench:${i}`, receivedAt: new Date() }), t);
      base.push(performance.now() - t);
    }
    // The direct leads' sends are over before the IMAP phase starts.
    const directToSend = o.toSend ? await firstSends(env.client, tdb.db, from.direct) : [];

    const appendedAt = new Map<number, number>();
    const latency: number[] = [];
    const stop = new AbortController();
    let done = 0;
    let allDone!: () => void;
    const finished = new Promise<void>((r) => {
      allDone = r;
    });
    const watching = watchMailbox({
      imap: { ...mail.imap, user: user.user, password: user.password },
      mailbox: 'INBOX',
      checkpoint: null,
      signal: stop.signal,
      handle: async (msg) => {
        const r = await ingest(msg.raw, { source: 'imap', sourceRef: 'bench', arrivalKey: `imap:bench:${msg.uidValidity}:${msg.uid}`, receivedAt: new Date() });
        const t0 = appendedAt.get(msg.uid);
        if (t0 !== undefined) latency.push(performance.now() - t0);
        if (t0 !== undefined) note('imap', r, t0);
        if (++done === N) allDone();
      },
      onCheckpoint: () => undefined,
    });
    await new Promise((r) => setTimeout(r, 1000)); // connected and idling
    const started = performance.now();
    for (const raw of mails) {
      const { uid } = await appendMessage(mail, user, raw);
      if (uid !== undefined) appendedAt.set(uid, performance.now());
    }
    await finished;
    const wall = (performance.now() - started) / 1000;
    stop.abort();
    await watching;
    const imapFacts = o.toSend ? await firstSendFacts(env.client, tdb.db, from.imap) : [];
    // The inboxes' handovers over the whole bench (each run that continued as new).
    const handovers = await inboxHandovers(env.client);
    const imapToSend = imapFacts.map((f) => f.ms);
    const imap = dist(latency);
    const direct = dist(base);
    const sends = { imap: dist(imapToSend), direct: dist(directToSend) };
    return {
      id: 'imap-ingest',
      title: `IMAP IDLE intake, ${N} ADF e-mails`,
      baseline: 'the same ingest (parse + signal-with-start) called directly, no IMAP',
      params: o,
      rows: [
        row('APPEND → lead workflow accepted, p50', 'ms', imap.p50, direct.p50),
        row('APPEND → lead workflow accepted, p95', 'ms', imap.p95, direct.p95),
        row('APPEND → lead workflow accepted, p99', 'ms', imap.p99, direct.p99),
        ...(o.toSend
          ? [
              row('APPEND → first message accepted, p50', 'ms', sends.imap.p50, sends.direct.p50),
              row('APPEND → first message accepted, p95', 'ms', sends.imap.p95, sends.direct.p95, 'p95 ≤ 500 ms'),
              row('APPEND → first message accepted, p99', 'ms', sends.imap.p99, sends.direct.p99),
              // Where the slowest 5 % spent their time, beside the mean of all (histories' timestamps).
              ...splitRows(imapFacts),
              row('inbox handovers (continue-as-new) in the bench', '', handovers.length, null),
              row('handover: last save → continued as new, max', 'ms', Math.max(0, ...handovers.map((h) => h.closingMs)), null),
              row('handover: workflow tasks failed in it (a signal arrived), most', '', Math.max(0, ...handovers.map((h) => h.failedTasks)), null),
            ]
          : []),
      ],
      detail: {
        imapMs: imap,
        directMs: direct,
        ...(o.toSend && { toFirstMessageMs: sends }),
        emailsPerSecond: r1(N / wall),
        inboxHandovers: handovers,
        heapUsedMiB: Math.round(process.memoryUsage().heapUsed / 1048576),
      },
    };
  } finally {
    worker?.shutdown();
    await running;
    await mail.stop();
    await env.teardown();
    await tdb.close();
  }
}

/**
 * Each inbox run that continued as new: how long from its last status save (the activity before
 * its continue-as-new) to the continue-as-new, and how many workflow tasks failed in between. A
 * signal that lands while the task that continues as new runs fails that task (the workflow must
 * see it first); the worker then replays the whole run before trying again.
 */
async function inboxHandovers(client: Client): Promise<Array<{ closingMs: number; failedTasks: number; events: number }>> {
  const out = [];
  for await (const w of client.workflow.list({ query: `WorkflowType = "${INBOX_WORKFLOW_TYPE}" AND ExecutionStatus = "ContinuedAsNew"` })) {
    const ev = (await client.workflow.getHandle(w.workflowId, w.runId).fetchHistory()).events ?? [];
    const at = (e: (typeof ev)[number]) => Number(e.eventTime?.seconds ?? 0) * 1000 + (e.eventTime?.nanos ?? 0) / 1e6;
    const lastSave = ev.findLastIndex((e) => e.activityTaskCompletedEventAttributes !== undefined && e.activityTaskCompletedEventAttributes !== null);
    const tail = ev.slice(Math.max(0, lastSave));
    out.push({
      closingMs: r1(at(ev[ev.length - 1]!) - at(tail[0]!)),
      failedTasks: tail.filter((e) => e.workflowTaskFailedEventAttributes).length,
      events: ev.length,
    });
  }
  return out;
}

type SendFacts = Awaited<ReturnType<typeof firstSendFacts>>;

/** The slowest 5 %'s mean split (APPEND → start, workflow-task and activity queueing, run, rest) against all leads' mean. */
function splitRows(facts: SendFacts) {
  if (facts.length === 0) return [];
  const slow = [...facts].sort((a, b) => b.ms - a.ms).slice(0, Math.max(1, Math.ceil(facts.length / 20)));
  const parts: Array<[string, (f: SendFacts[number]) => number]> = [
    ['APPEND → workflow started', (f) => f.startDelayMs],
    ['workflow-task queueing', (f) => f.facts.wftQueueMs],
    ['activity queueing', (f) => f.facts.activityQueueMs],
    ['activity run time', (f) => f.facts.activityRunMs],
    ...['reserveSendSlot', 'draftMessage', 'sendMessage'].map((t): [string, (f: SendFacts[number]) => number] => [
      `  of it ${t}`,
      (f) => f.facts.runMsByType[t] ?? 0,
    ]),
    ['the rest', (f) => f.ms - f.startDelayMs - f.facts.wftQueueMs - f.facts.activityQueueMs - f.facts.activityRunMs],
  ];
  const mean = (xs: SendFacts, g: (f: SendFacts[number]) => number) => r1(xs.reduce((a, f) => a + g(f), 0) / xs.length);
  return parts.map(([what, g]) => row(`slowest 5 % (all leads' mean beside): ${what}`, 'ms', mean(slow, g), mean(facts, g)));
}

if (isMain(import.meta.url)) {
  const N = Number(process.env.BENCH_N ?? 500);
  const toSend = process.env.BENCH_TO_SEND === '1';
  const r = await imapIngest({ emails: N, toSend });
  const d = r.detail as { imapMs: Dist; directMs: Dist; emailsPerSecond: number; heapUsedMiB: number };
  const fmt = (x: Dist) => `p50 ${x.p50.toFixed(1)} ms, p95 ${x.p95.toFixed(1)} ms, max ${x.max.toFixed(1)} ms`;
  console.log(`IMAP IDLE arrival -> lead workflow accepted, ${N} e-mails: ${fmt(d.imapMs)}; ${d.emailsPerSecond} e-mails/s`);
  console.log(`baseline (same ingest, no IMAP), ${d.directMs.n} e-mails: ${fmt(d.directMs)}`);
  console.log(`ratio IMAP/baseline: p50 ${(d.imapMs.p50 / d.directMs.p50).toFixed(2)}x, p95 ${(d.imapMs.p95 / d.directMs.p95).toFixed(2)}x`);
  console.log(`heap used: ${d.heapUsedMiB} MiB`);
  for (const x of r.rows.slice(3))
    console.log(
      `${x.what}: ${x.figure} ${x.unit}${x.baseline === null ? '' : ` (${x.what.startsWith('slowest') ? 'all' : 'direct ingest'}: ${x.baseline} ${x.unit})`}`,
    );
}
