// What a chaos run measures about itself: the mode it runs in, unhandled rejections in the test
// process, memory (the test process's heap after a full GC, and its RSS), and the one-line JSON
// summary each scenario prints to stderr so its figures can be quoted.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** LEADFLOW_CHAOS=long: the long mode, by hand (a few hundred leads, 20+ kills). Anything else: the short mode of `npm test`. */
export const LONG = process.env.LEADFLOW_CHAOS === 'long';
export const MODE: 'long' | 'short' = LONG ? 'long' : 'short';

/** Picks the short- or long-mode value. */
export function byMode<T>(short: T, long: T): T {
  return LONG ? long : short;
}

export interface RejectionTracker {
  /** Unhandled promise rejections. */
  readonly count: number;
  /** Uncaught exceptions (e.g. an 'error' event nobody listens to); node:test also fails the running test on one. */
  readonly uncaught: number;
  readonly samples: string[];
  dispose(): void;
}

/**
 * Counts unhandled rejections and uncaught exceptions in this process from now on. (node:test
 * reports one as a failure of whichever test was running; counting them makes "zero" a figure.)
 */
export function trackUnhandledRejections(): RejectionTracker {
  const samples: string[] = [];
  let count = 0;
  let uncaught = 0;
  const sample = (reason: unknown) => {
    if (samples.length < 5) samples.push(reason instanceof Error ? (reason.stack ?? reason.message) : String(reason));
  };
  const onRejection = (reason: unknown) => {
    count += 1;
    sample(reason);
  };
  const onUncaught = (err: unknown) => {
    uncaught += 1;
    sample(err);
  };
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onUncaught);
  return {
    get count() {
      return count;
    },
    get uncaught() {
      return uncaught;
    },
    samples,
    dispose: () => {
      process.off('unhandledRejection', onRejection);
      process.off('uncaughtException', onUncaught);
    },
  };
}

let gcFn: (() => void) | null | undefined;

/** A full GC when the runtime allows it (--expose-gc, or turned on here at run time). */
export function fullGc(): boolean {
  if (gcFn === undefined) {
    const exposed = (globalThis as { gc?: () => void }).gc;
    if (typeof exposed === 'function') gcFn = exposed;
    else {
      try {
        setFlagsFromString('--expose-gc');
        gcFn = runInNewContext('gc') as () => void;
      } catch {
        gcFn = null;
      }
    }
  }
  if (gcFn === null) return false;
  gcFn();
  gcFn();
  return true;
}

export interface MemorySample {
  heapMb: number;
  rssMb: number;
  gc: boolean;
}

export async function sampleMemory(): Promise<MemorySample> {
  // Let pending callbacks (closed sockets, finished timers) release what they hold first.
  await new Promise((r) => setTimeout(r, 200));
  const gc = fullGc();
  const m = process.memoryUsage();
  return { heapMb: Math.round(m.heapUsed / 1048576), rssMb: Math.round(m.rss / 1048576), gc };
}

/** One JSON line on stderr, prefixed so it is easy to grep from the test output. */
export function printSummary(summary: Record<string, unknown>): void {
  process.stderr.write(`[chaos-summary] ${JSON.stringify({ mode: MODE, ...summary })}\n`);
}

/** Counts `key(item)` over items; returns the keys seen more than once with their counts. */
export function countBy<T>(items: Iterable<T>, key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) {
    const k = key(item);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return counts;
}

export function repeated(counts: Map<string, number>): Array<[string, number]> {
  return [...counts].filter(([, n]) => n > 1);
}

/** A seeded PRNG (mulberry32), so a run's "random" moments can be replayed from its printed seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
