// What every chaos test file shares: its seed (printed in the summary, LEADFLOW_CHAOS_SEED replays
// a run's random choices), the world's lifecycle around a describe block, memory figures, and the
// checks every scenario ends with: the worker never died by itself, no unhandled rejection or
// uncaught exception in either process, the test process's heap back near its baseline.
import assert from 'node:assert/strict';
import { DEFAULT_WORKER_MEMORY_MB } from '../../../workers/cache-budget.js';
import { after, before } from 'node:test';
import { sampleMemory, seededRandom, sleep, trackUnhandledRejections, type MemorySample, type RejectionTracker } from './report.js';
import { startChaosWorld, type ChaosWorld, type ChaosWorldOptions } from './world.js';

export interface ChaosSeed {
  seed: number;
  random: () => number;
  /** An integer in [lo, hi), from the seeded PRNG. */
  between: (range: readonly [number, number]) => number;
}

export function chaosSeed(): ChaosSeed {
  const seed = Number(process.env.LEADFLOW_CHAOS_SEED ?? Math.floor(Math.random() * 1e9));
  const random = seededRandom(seed);
  return { seed, random, between: ([lo, hi]) => lo + Math.floor(random() * (hi - lo)) };
}

export interface WorldHandle {
  readonly w: ChaosWorld;
  readonly rejections: RejectionTracker;
}

/**
 * Registers before/after hooks in the calling describe block: counts unhandled rejections from
 * the start, starts the world, runs `setup` (e.g. seed the DB), then the worker process.
 */
export function useChaosWorld(opts: ChaosWorldOptions, setup?: (w: ChaosWorld) => Promise<unknown>): WorldHandle {
  let world: ChaosWorld | undefined;
  let tracker: RejectionTracker | undefined;
  before(async () => {
    tracker = trackUnhandledRejections();
    world = await startChaosWorld(opts);
    await setup?.(world);
    await world.worker.start();
  });
  after(async () => {
    tracker?.dispose();
    await world?.stop();
  });
  return {
    get w() {
      assert.ok(world !== undefined, 'the chaos world is started in before()');
      return world;
    },
    get rejections() {
      assert.ok(tracker !== undefined, 'the rejection tracker is started in before()');
      return tracker;
    },
  };
}

/** Calls `fn` until it succeeds (a server under the product is down right now), counting retries. */
export async function retrying<T>(fn: () => Promise<T>, onRetry: () => void = () => undefined, pauseMs = 500): Promise<T> {
  for (;;) {
    try {
      return await fn();
    } catch {
      onRetry();
      await sleep(pauseMs);
    }
  }
}

export interface Baseline {
  mem: MemorySample;
  workerRssMb: number | null;
}

/** Memory before the run, once the world has idled for a moment. */
export async function baseline(w: ChaosWorld): Promise<Baseline> {
  await sleep(2_000);
  return { mem: await sampleMemory(), workerRssMb: w.worker.rssMb() };
}

/** The summary's memory figures: [baseline, end] for each. */
export function memoryFigures(base: Baseline, end: MemorySample, w: ChaosWorld): Record<string, unknown> {
  return {
    testHeapMb: [base.mem.heapMb, end.heapMb],
    testRssMb: [base.mem.rssMb, end.rssMb],
    workerRssMb: [base.workerRssMb, w.worker.rssMb()],
    gc: end.gc,
  };
}

export function rejectionFigures({ w, rejections }: WorldHandle): Record<string, number> {
  return { test: rejections.count, testUncaught: rejections.uncaught, worker: w.worker.unhandled.length };
}

/** The checks that close every scenario. */
export function assertCleanRun({ w, rejections }: WorldHandle, base: Baseline, end: MemorySample): void {
  assert.deepEqual(
    w.worker.crashes.map((c) => `${c.at} exit ${c.code ?? c.signal}: ${c.reason}`),
    [],
    'the worker never died by itself',
  );
  assert.equal(rejections.count + rejections.uncaught, 0, `no unhandled rejection or uncaught exception in the test process: ${rejections.samples.join('\n')}`);
  assert.deepEqual(w.worker.unhandled, [], 'no unhandled rejection or uncaught exception logged by the worker');
  // Memory is measured in benchmarks; here only a loose sanity bound (a leak of the whole run would break it).
  if (end.gc) assert.ok(end.heapMb <= 2 * base.mem.heapMb + 32, `test process heap back near its baseline after GC (${base.mem.heapMb} -> ${end.heapMb} MB)`);
  // The worker keeps recent leads cached by design; what must hold is its memory budget
  // (WORKER_MEMORY_MB, default 1024: the sticky cache and the workflow threads' heap follow it).
  const workerRss = w.worker.rssMb();
  if (workerRss !== null)
    assert.ok(
      workerRss <= DEFAULT_WORKER_MEMORY_MB,
      `worker RSS ${workerRss} MB within its ${DEFAULT_WORKER_MEMORY_MB} MB budget (${base.workerRssMb} MB at the start)`,
    );
}
