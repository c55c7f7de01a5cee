// Scale: N waiting leads in the real `leadflow worker` process (its own process, so its memory is
// its own), started straight through the client (first step hours away, so each runs its path up
// to the wait and no further). Then the worker's RSS and main-thread heap, and signal+query round
// trips to random waiting leads: a pause and a query, then a resume and a query (pause and resume
// are the lead's harmless signals: they flip its status and record it, nothing is sent).
// Baseline, same run: N waiting no-op workflows (same query, same signals, a flag and nothing else)
// in a worker process of their own with the lead worker's options, started side by side with the leads.
// Run: node --import tsx bench/scale.ts   (BENCH_WAITING=N, default 10000; 100000 by hand)
import { fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import { submitLead } from '../temporal/lead-client.js';
import { freePort } from '../temporal/net.js';
import { installTemporalRuntime } from '../temporal/runtime.js';
import { testLeadWorker } from '../tests/helpers/lead-worker.js';
import { LEAD_TYPE_CLAUSE, pauseSignal, resumeSignal, stateQuery } from '../workflows/lead/contract.js';
import { LeadStatusKey } from '../workflows/search-attributes.js';
import { WorkerProcess } from '../tests/helpers/chaos/worker.js';
import { testIdentity } from '../tests/helpers/codec.js';
import { makeLeadInput } from '../tests/helpers/leads.js';
import { createDevServerEnv, uniqueName } from '../tests/helpers/temporal.js';
import { openTestDb } from '../tests/helpers/test-db.js';
import { DEFAULT_WORKER_MEMORY_MB, mainHeapMbFor } from '../workers/cache-budget.js';
import { baselineBundle, sameSetup } from './lib/lead-stack.js';
import { renderTable, row, type SectionResult } from './lib/report.js';
import { dist, isMain, pool, r1, sleep, until } from './lib/stats.js';

const SETTLE_MS = 30_000;

export interface ScaleOptions {
  waiting: number;
  /** Signal+query samples per kind (each a pause+query and a resume+query). */
  samples: number;
  concurrency: number;
}

interface Memory {
  rssMiB: number;
  heapMiB: number;
}

const mib = (bytes: number) => r1(bytes / 1048576);
function rssBytes(pid: number | undefined): number {
  const m = pid === undefined ? null : /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (m === null) throw new Error(`no RSS for process ${pid}`);
  return Number(m[1]) * 1024;
}

/** The baseline worker process (bench/lib/baseline-worker-process.ts), spoken to over IPC. */
class BaselineProcess {
  private readonly child;
  constructor(env: NodeJS.ProcessEnv) {
    const entry = fileURLToPath(new URL('./lib/baseline-worker-process.ts', import.meta.url));
    this.child = fork(entry, [], { execArgv: ['--import', 'tsx'], env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  }
  get pid(): number | undefined {
    return this.child.pid;
  }
  private next<T>(test: (m: unknown) => boolean): Promise<T> {
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`baseline worker exited ${code}`));
      const onMessage = (m: unknown) => {
        if (!test(m)) return;
        this.child.off('message', onMessage);
        this.child.off('exit', onExit);
        resolve(m as T);
      };
      this.child.on('message', onMessage);
      this.child.once('exit', onExit);
    });
  }
  started(): Promise<void> {
    return this.next((m) => m === 'started');
  }
  stats(): Promise<{ ready: number; heapUsed: number }> {
    const p = this.next<{ ready: number; heapUsed: number }>((m) => typeof m === 'object' && m !== null && 'ready' in m);
    this.child.send('stats');
    return p;
  }
  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.send('stop');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }
}

/** Signal+query round trips to random workflows: a pause and a query, then a resume and a query. */
export async function signalQuery(client: Client, ids: string[], samples: number) {
  const ms: number[] = [];
  let sawPaused = 0;
  for (let i = 0; i < samples; i++) {
    const h = client.workflow.getHandle(ids[Math.floor(Math.random() * ids.length)] ?? '');
    let t = performance.now();
    await h.signal(pauseSignal, { reason: 'bench', by: 'bench' });
    if ((await h.query(stateQuery)).status === 'paused') sawPaused += 1;
    ms.push(performance.now() - t);
    t = performance.now();
    await h.signal(resumeSignal, { by: 'bench' });
    await h.query(stateQuery);
    ms.push(performance.now() - t);
  }
  return { ms: dist(ms), sawPaused };
}

export async function scale(o: ScaleOptions): Promise<SectionResult> {
  const [env, tdb, bundle] = await Promise.all([createDevServerEnv(), openTestDb(), baselineBundle()]);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'leadflow-bench-scale-'));
  const bundleFile = path.join(tmp, 'baseline-bundle.js');
  fs.writeFileSync(bundleFile, bundle.code);
  const client = env.client;
  // The lead worker's options as createLeadWorker sets them, for the baseline worker's twin.
  // WORKER_MEMORY_MB (if set) reaches the lead worker process through its environment, and both twins here.
  const memoryMb = process.env.WORKER_MEMORY_MB === undefined ? undefined : Number(process.env.WORKER_MEMORY_MB);
  const probe = await testLeadWorker(env, tdb.db, { client, taskQueue: uniqueName('bench-probe'), ...(memoryMb !== undefined && { memoryMb }) });
  const setup = sameSetup(probe.options);
  await probe.runUntil(sleep(100));

  // Both twins start as the image's entrypoint starts a worker: the main heap sized from the budget.
  const heapFlag = `--max-old-space-size=${mainHeapMbFor(memoryMb ?? DEFAULT_WORKER_MEMORY_MB)}`;
  const NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} ${heapFlag}`.trim();
  const metricsPort = await freePort();
  // The CLI helper keeps the bench's own WORKER_* out of the child's environment: the budget is passed on
  // by name, or the worker would run the default budget against a twin sized for this one.
  const lead = new WorkerProcess({
    NODE_OPTIONS,
    ...(memoryMb !== undefined && { WORKER_MEMORY_MB: String(memoryMb) }),
    DATABASE_URL: tdb.url,
    TEMPORAL_ADDRESS: env.address,
    TEMPORAL_EMBEDDED: 'false',
    LEADFLOW_DATA_DIR: tmp,
    MX_LOOKUP: 'off',
    LOG_LEVEL: 'info', // "workers started" is an info line
    WORKER_METRICS_ADDRESS: `127.0.0.1:${metricsPort}`,
  });
  const baseQueue = uniqueName('bench-waiting');
  const base = new BaselineProcess({
    NODE_OPTIONS,
    TEMPORAL_ADDRESS: env.address,
    BENCH_TASK_QUEUE: baseQueue,
    BENCH_WORKFLOW_BUNDLE: bundleFile,
    BENCH_WORKER_OPTIONS: JSON.stringify(setup),
  });
  const leadMemory = async (): Promise<Memory> => {
    const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    const heap = /^leadflow_nodejs_heap_size_used_bytes(?:\{[^}]*\})? ([\d.e+]+)/m.exec(text)?.[1];
    return { rssMiB: mib(rssBytes(lead.pid)), heapMiB: heap === undefined ? NaN : mib(Number(heap)) };
  };
  const baseMemory = async (): Promise<Memory> => ({ rssMiB: mib(rssBytes(base.pid)), heapMiB: mib((await base.stats()).heapUsed) });
  const settleTimeout = 120_000 + o.waiting * 100;

  try {
    await Promise.all([lead.start(), base.started()]);
    await sleep(2_000);
    const idle = { lead: await leadMemory(), baseline: await baseMemory() };

    // Both kinds start side by side (as the other sections interleave): whatever else the machine
    // does slows both alike, and the section takes the longer of the two instead of their sum.
    const timed = async <T>(fn: () => Promise<T>): Promise<[T, number]> => {
      const t = performance.now();
      const out = await fn();
      return [out, r1((performance.now() - t) / 1000)];
    };
    const waitingQuery = `${LEAD_TYPE_CLAUSE} AND ${LeadStatusKey.name} = "waiting"`;
    // The high-water mark while they start and run their first steps, sampled every 2 s.
    const peak = { lead: idle.lead.rssMiB, baseline: idle.baseline.rssMiB };
    const sampler = setInterval(() => {
      for (const [k, pid] of [
        ['lead', lead.pid],
        ['baseline', base.pid],
      ] as const) {
        try {
          peak[k] = Math.max(peak[k], mib(rssBytes(pid)));
        } catch {
          // a process between samples (exiting): the next sample or the result says so
        }
      }
    }, 2_000);
    const [[leadIds, leadSettled], [baseIds, baseSettled]] = await Promise.all([
      timed(async () => {
        const ids = await pool(Array.from({ length: o.waiting }), o.concurrency, async () => {
          const input = makeLeadInput({ sequence: [{ delay: '6 hours' }] });
          return (await submitLead(client, input, { identity: testIdentity })).leadId;
        });
        await until(`${o.waiting} leads waiting`, async () => (await client.workflow.count(waitingQuery)).count >= o.waiting, settleTimeout, 1_000);
        return ids;
      }),
      timed(async () => {
        const ids = await pool(Array.from({ length: o.waiting }), o.concurrency, async () => {
          const workflowId = uniqueName('bench-waiting');
          await client.workflow.start('benchWaitingWorkflow', { workflowId, taskQueue: baseQueue, args: [] });
          return workflowId;
        });
        await until(`${o.waiting} baseline workflows waiting`, async () => (await base.stats()).ready >= o.waiting, settleTimeout, 500);
        return ids;
      }),
    ]);
    clearInterval(sampler);
    // Settled: V8 gives back the pages a burst used once both processes have been idle a while.
    await sleep(SETTLE_MS);
    const leadMem = await leadMemory();
    const baseMem = await baseMemory();
    const leadSq = await signalQuery(client, leadIds, o.samples);
    const baseSq = await signalQuery(client, baseIds, o.samples);
    const leadMemAfter = await leadMemory();
    const baseMemAfter = await baseMemory();

    const perKiB = (m: Memory, i: Memory) => r1(((m.rssMiB - i.rssMiB) * 1024) / o.waiting);
    const n = o.waiting.toLocaleString('en-US');
    return {
      id: 'scale',
      title: `Scale, ${n} waiting leads`,
      baseline: `${n} waiting no-op workflows (same query and signals) in a twin worker process`,
      params: { ...o, workerSetup: setup },
      rows: [
        row(`${n} started and all waiting (both kinds side by side)`, 's', leadSettled, baseSettled),
        row(`worker RSS, highest while they start`, 'MiB', peak.lead, peak.baseline),
        row(`worker RSS with ${n} waiting, ${SETTLE_MS / 1000} s after the last`, 'MiB', leadMem.rssMiB, baseMem.rssMiB, '≤ 512 MiB at 100,000'),
        row('worker RSS per waiting workflow, above idle', 'KiB', perKiB(leadMem, idle.lead), perKiB(baseMem, idle.baseline)),
        row(`worker main-thread heap with ${n} waiting`, 'MiB', leadMem.heapMiB, baseMem.heapMiB),
        row('signal+query to a random waiting one: p50', 'ms', leadSq.ms.p50, baseSq.ms.p50),
        row('signal+query to a random waiting one: p95', 'ms', leadSq.ms.p95, baseSq.ms.p95, 'p95 ≤ 200 ms at 100,000'),
        row('worker RSS after the signal+query samples', 'MiB', leadMemAfter.rssMiB, baseMemAfter.rssMiB),
      ],
      detail: {
        signal: 'pause then resume (workflows/lead/contract.ts), each followed by the state query',
        idle,
        peak,
        lead: { memory: leadMem, after: leadMemAfter, settledSeconds: leadSettled, signalQuery: leadSq },
        baseline: { memory: baseMem, after: baseMemAfter, settledSeconds: baseSettled, signalQuery: baseSq },
      },
    };
  } finally {
    await Promise.allSettled([lead.stop(10_000), base.stop()]);
    await env.teardown();
    await tdb.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) {
  installTemporalRuntime({ metricsAddress: undefined, logLevel: 'warn' });
  const result = await scale({ waiting: Number(process.env.BENCH_WAITING ?? 10_000), samples: Number(process.env.BENCH_SAMPLES ?? 200), concurrency: 32 });
  console.log(renderTable([result]));
  console.log(JSON.stringify(result));
}
