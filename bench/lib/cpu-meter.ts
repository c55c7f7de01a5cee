// CPU time by process while a phase runs, read from /proc: this bench process (both workers, all
// threads), the Temporal dev server and PostgreSQL. On a machine whose cores are all busy, a
// throughput ratio is a ratio of CPU per run; this says which process the difference is in.
// Linux only; elsewhere every figure is null. Assumes a quiet machine: it counts every process
// named `temporal` or `postgres`.
import { readdirSync } from 'node:fs';
import { procStat } from '../../tests/helpers/proc-stat.js';

const GROUPS = { devServer: 'temporal', postgres: 'postgres' } as const;
/** `benchMain` is this process's main thread (activities, the SDK's JavaScript side, the codec); `benchThreads` its other threads (workflow threads, V8's GC helpers, the SDK's Rust core). */
export type CpuGroup = 'benchMain' | 'benchThreads' | keyof typeof GROUPS;
export type CpuSeconds = Record<CpuGroup, number>;
export const CPU_GROUPS: readonly CpuGroup[] = ['benchMain', 'benchThreads', 'devServer', 'postgres'];
export const CPU_GROUP_NAMES: Record<CpuGroup, string> = {
  benchMain: "the workers' main thread",
  benchThreads: "the workers' other threads",
  devServer: 'the dev server',
  postgres: 'PostgreSQL',
};

/** USER_HZ: /proc's clock ticks per second, 100 on every Linux this runs on. */
const TICKS = 100;

/** CPU seconds used so far by each group, or null where /proc is not there. */
export function cpuNow(): CpuSeconds | null {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return null;
  }
  const out: CpuSeconds = { benchMain: 0, benchThreads: 0, devServer: 0, postgres: 0 };
  const self = String(process.pid);
  // The process's line counts every thread it has had, ended ones too; the main thread's is its own.
  const all = procStat(self);
  const main = procStat(`${self}/task/${self}`);
  if (all === null || main === null) return null;
  out.benchMain = main.cpuTicks / TICKS;
  out.benchThreads = (all.cpuTicks - main.cpuTicks) / TICKS;
  for (const pid of pids) {
    if (pid === self) continue;
    const t = procStat(pid); // null: gone between the listing and the read
    if (t?.comm === GROUPS.devServer) out.devServer += t.cpuTicks / TICKS;
    else if (t?.comm === GROUPS.postgres) out.postgres += t.cpuTicks / TICKS;
  }
  return out;
}

/** Sums or differences of readings, group by group. */
export function cpuCombine(a: CpuSeconds, b: CpuSeconds, sign: 1 | -1): CpuSeconds {
  const out = { ...a };
  for (const g of CPU_GROUPS) out[g] = a[g] + sign * b[g];
  return out;
}

/** What each group used between two readings. */
export function cpuSince(before: CpuSeconds | null): CpuSeconds | null {
  const now = cpuNow();
  return before === null || now === null ? null : cpuCombine(now, before, -1);
}

/** CPU used while the given work runs, summed over every call to measure(); null without /proc. */
export class CpuTally {
  sum: CpuSeconds | null = { benchMain: 0, benchThreads: 0, devServer: 0, postgres: 0 };

  async measure<T>(work: () => Promise<T>): Promise<T> {
    const before = cpuNow();
    const out = await work();
    const used = cpuSince(before);
    this.sum = used === null || this.sum === null ? null : cpuCombine(this.sum, used, 1);
    return out;
  }
}

/** Milliseconds per item, group by group and in all (`total`), one decimal; null without readings. */
export function perItemMs(c: CpuSeconds | null, items: number): (CpuSeconds & { total: number }) | null {
  if (c === null || items === 0) return null;
  const ms = (x: number): number => Math.round((x * 10_000) / items) / 10;
  const out = { total: ms(CPU_GROUPS.reduce((n, g) => n + c[g], 0)) } as CpuSeconds & { total: number };
  for (const g of CPU_GROUPS) out[g] = ms(c[g]);
  return out;
}
