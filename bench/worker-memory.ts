// Worker memory over time: where a `leadflow worker`'s RSS goes while N leads are started and then
// wait, sampled every few seconds from /proc (RSS split into anonymous and file-backed, threads)
// and the worker's own metrics (main-thread V8 heap). Each arm is the same start burst in a fresh
// worker process with different environment (e.g. WORKER_MEMORY_MB, MALLOC_ARENA_MAX), so the
// figures answer "what holds the memory" rather than "how much". Baseline: the arm's own idle
// sample before the burst. A heap snapshot of the main thread is written at the end of each arm
// when BENCH_HEAP_SNAPSHOT=1 (node --heapsnapshot-signal).
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
import { LEAD_WORKFLOW_TYPE } from '../workflows/lead/contract.js';
import { LeadStatusKey } from '../workflows/search-attributes.js';
import { isMain, pool, r1, sleep } from './lib/stats.js';

interface Sample {
  t: number;
  phase: 'idle' | 'burst' | 'waiting';
  rssMiB: number;
  anonMiB: number;
  fileMiB: number;
  threads: number;
  heapMiB: number;
  started: number;
  /** Leads that have run their path to the wait (LeadStatus = waiting). */
  waiting: number;
}

const WAITING = `WorkflowType = "${LEAD_WORKFLOW_TYPE}" AND ${LeadStatusKey.name} = "waiting"`;
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
    const heap = /^leadflow_nodejs_heap_size_used_bytes(?:\{[^}]*\})? ([\d.e+]+)/m.exec(text)?.[1];
    const { count } = await env.client.workflow.count(WAITING);
    samples.push({
      waiting: count,
      t: r1((performance.now() - t0) / 1000),
      phase,
      ...procMemory(pid),
      heapMiB: heap === undefined ? NaN : r1(Number(heap) / 1048576),
      started,
    });
  };
  try {
    await worker.start();
    await sleep(3_000);
    await sample();
    const timer = setInterval(() => void sample().catch(() => undefined), 5_000);
    phase = 'burst';
    await pool(Array.from({ length: waiting }), 32, async () => {
      await submitLead(env.client, makeLeadInput({ sequence: [{ delay: '6 hours' }] }), { identity: testIdentity });
      started += 1;
    });
    phase = 'waiting';
    await sleep(afterS * 1000);
    clearInterval(timer);
    await sample();
    if (snapshot && worker.pid !== undefined) {
      process.kill(worker.pid, 'SIGUSR2');
      await sleep(20_000); // the snapshot is written synchronously by the worker; it lands in its cwd
    }
    return { arm, waiting, samples };
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
    console.log(JSON.stringify({ arm, waiting, idle: first, peak, last }));
    for (const s of out.samples)
      console.log(
        `  ${arm}\t${s.t}s\t${s.phase}\tstarted ${s.started}\twaiting ${s.waiting}\tRSS ${s.rssMiB} (anon ${s.anonMiB}, file ${s.fileMiB})\theap ${s.heapMiB}\tthreads ${s.threads}`,
      );
  }
}
