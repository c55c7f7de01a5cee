// Worker memory over time: where a `leadflow worker`'s RSS goes while N leads are started and then
// wait, sampled every few seconds from /proc (RSS split into anonymous and file-backed, threads)
// and the worker's own metrics (main-thread V8 heap). Each arm is the same start burst in a fresh
// worker process with different environment (e.g. WORKER_MEMORY_MB, MALLOC_ARENA_MAX), so the
// figures answer "what holds the memory" rather than "how much". Baseline: the arm's own idle
// sample before the burst. A heap snapshot of the main thread is written at the end of each arm
// when BENCH_HEAP_SNAPSHOT=1 (node --heapsnapshot-signal). BENCH_SIGNAL_SAMPLES=N
// ends each arm with N signal+query round trips to random waiting leads (as bench/scale.ts does).
// Each arm waits until every lead has reached its wait, then BENCH_AFTER_S more.
// Run: node --import tsx bench/worker-memory.ts   (BENCH_WAITING=N, default 5000;
//      BENCH_ARMS='default;MALLOC_ARENA_MAX=2;WORKER_MEMORY_MB=512', BENCH_AFTER_S=60).
// An arm is started as given, not as the image's entrypoint would start it: to compare with the
// entrypoint's main-heap limit, say it, e.g. 'WORKER_MEMORY_MB=512 NODE_OPTIONS=--max-old-space-size=192'.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { submitLead } from '../temporal/lead-client.js';
import { freePort } from '../temporal/net.js';
import { installTemporalRuntime } from '../temporal/runtime.js';
import { WorkerProcess } from '../tests/helpers/chaos/worker.js';
import { testIdentity } from '../tests/helpers/codec.js';
import { makeLeadInput } from '../tests/helpers/leads.js';
import { createDevServerEnv } from '../tests/helpers/temporal.js';
import { openTestDb } from '../tests/helpers/test-db.js';
import { LEAD_TYPE_CLAUSE } from '../workflows/lead/contract.js';
import { LeadStatusKey } from '../workflows/search-attributes.js';
import { isMain, pool, r1, sleep } from './lib/stats.js';
import { signalQuery } from './scale.js';

interface Sample {
  t: number;
  phase: 'idle' | 'burst' | 'waiting';
  rssMiB: number;
  anonMiB: number;
  fileMiB: number;
  threads: number;
  heapMiB: number;
  /** Main thread: V8 heap reserved (used + free pages), and memory outside it that V8 tracks (Buffers). */
  heapTotalMiB: number;
  externalMiB: number;
  started: number;
  /** Leads that have run their path to the wait (LeadStatus = waiting). */
  waiting: number;
}

const WAITING = `${LEAD_TYPE_CLAUSE} AND ${LeadStatusKey.name} = "waiting"`;
const kib = (text: string, key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
function procMemory(pid: number) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return {
    rssMiB: r1(kib(status, 'VmRSS') / 1024),
    anonMiB: r1(kib(status, 'RssAnon') / 1024),
    fileMiB: r1(kib(status, 'RssFile') / 1024),
    threads: Number(/^Threads:\s+(\d+)/m.exec(status)?.[1] ?? NaN),
  };
}

/** Parses `A=1 B=2` (or `default`) into an environment for one arm. */
const armEnv = (arm: string): Record<string, string> =>
  Object.fromEntries(
    arm
      .split(/\s+/)
      .filter((kv) => kv.includes('='))
      .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  );

export async function workerMemoryArm(arm: string, waiting: number, afterS: number, snapshot: boolean) {
  const [env, tdb] = await Promise.all([createDevServerEnv(), openTestDb()]);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'leadflow-bench-memory-'));
  const metricsPort = await freePort();
  const worker = new WorkerProcess({
    DATABASE_URL: tdb.url,
    TEMPORAL_ADDRESS: env.address,
    TEMPORAL_EMBEDDED: 'false',
    LEADFLOW_DATA_DIR: tmp,
    MX_LOOKUP: 'off',
    LOG_LEVEL: 'info',
    WORKER_METRICS_ADDRESS: `127.0.0.1:${metricsPort}`,
    ...(snapshot ? { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --heapsnapshot-signal=SIGUSR2`.trim() } : {}),
    ...armEnv(arm),
  });
  const samples: Sample[] = [];
  let phase: Sample['phase'] = 'idle';
  let started = 0;
  const t0 = performance.now();
  const sample = async () => {
    const pid = worker.pid;
    if (pid === undefined) return;
    const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text().catch(() => '');
    const metric = (name: string) => {
      const v = new RegExp(`^leadflow_nodejs_${name}(?:\\{[^}]*\\})? ([\\d.e+]+)`, 'm').exec(text)?.[1];
      return v === undefined ? NaN : r1(Number(v) / 1048576);
    };
    const { count } = await env.client.workflow.count(WAITING);
    samples.push({
      waiting: count,
      t: r1((performance.now() - t0) / 1000),
      phase,
      ...procMemory(pid),
      heapMiB: metric('heap_size_used_bytes'),
      heapTotalMiB: metric('heap_size_total_bytes'),
      externalMiB: metric('external_memory_bytes'),
      started,
    });
    const s = samples.at(-1);
    if (s !== undefined) console.error(`  ${arm}\t${s.t}s\tstarted ${s.started}\twaiting ${s.waiting}\tRSS ${s.rssMiB}\theap ${s.heapMiB}`);
  };
  try {
    await worker.start();
    await sleep(3_000);
    await sample();
    const timer = setInterval(() => void sample().catch(() => undefined), 5_000);
    phase = 'burst';
    const ids = await pool(Array.from({ length: waiting }), 32, async () => {
      const { leadId } = await submitLead(env.client, makeLeadInput({ sequence: [{ delay: '6 hours' }] }), { identity: testIdentity });
      started += 1;
      return leadId;
    });
    phase = 'waiting';
    // Until every lead has reached its wait (or stopped getting there for a minute), then afterS more.
    for (let last = -1, still = 0; still < 12; await sleep(5_000)) {
      const { count } = await env.client.workflow.count(WAITING);
      if (count >= waiting) break;
      still = count === last ? still + 1 : 0;
      last = count;
    }
    await sleep(afterS * 1000);
    clearInterval(timer);
    await sample();
    const samples_ = Number(process.env.BENCH_SIGNAL_SAMPLES ?? 0);
    const signalQueryMs = samples_ > 0 ? (await signalQuery(env.client, ids, samples_)).ms : undefined;
    if (signalQueryMs !== undefined) await sample();
    if (snapshot && worker.pid !== undefined) {
      process.kill(worker.pid, 'SIGUSR2');
      await sleep(20_000); // the snapshot is written synchronously by the worker; it lands in its cwd
    }
    return { arm, waiting, samples, signalQueryMs };
  } finally {
    await worker.stop(10_000).catch(() => undefined);
    await env.teardown();
    await tdb.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) {
  installTemporalRuntime({ metricsAddress: undefined, logLevel: 'warn' });
  const waiting = Number(process.env.BENCH_WAITING ?? 5_000);
  const arms = (process.env.BENCH_ARMS ?? 'default').split(';');
  for (const arm of arms) {
    const out = await workerMemoryArm(arm, waiting, Number(process.env.BENCH_AFTER_S ?? 60), process.env.BENCH_HEAP_SNAPSHOT === '1');
    const first = out.samples[0];
    const peak = out.samples.reduce((a, b) => (b.rssMiB > a.rssMiB ? b : a));
    const last = out.samples.at(-1);
    console.log(JSON.stringify({ arm, waiting, idle: first, peak, last, signalQueryMs: out.signalQueryMs }));
    for (const s of out.samples)
      console.log(
        `  ${arm}\t${s.t}s\t${s.phase}\tstarted ${s.started}\twaiting ${s.waiting}\tRSS ${s.rssMiB} (anon ${s.anonMiB}, file ${s.fileMiB})\theap ${s.heapMiB} of ${s.heapTotalMiB}, external ${s.externalMiB}\tthreads ${s.threads}`,
      );
  }
}
