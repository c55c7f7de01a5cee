// One process's /proc/<pid>/stat, parsed once for everyone who reads it (the CPU meter, the
// dev-server reaper and its test, the CLI start bench). Linux only: null elsewhere, and null for a
// process that is gone.
import { readFileSync } from 'node:fs';

export interface ProcStat {
  comm: string;
  /** R, S, D, Z (a zombie: ended, not yet reaped) … */
  state: string;
  ppid: number;
  /** User + system CPU, in clock ticks (USER_HZ), of the process and of its reaped children. */
  cpuTicks: number;
  childrenCpuTicks: number;
}

/** `pid` may be a number, `self`, or `<pid>/task/<tid>` for one thread. */
export function procStat(pid: number | string): ProcStat | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // comm (field 2) is in parentheses and may hold spaces and ')': the fields after its last ')' are
  // space-separated, from field 3 (state) on; utime, stime, cutime, cstime are fields 14–17.
  const close = stat.lastIndexOf(')');
  const f = stat.slice(close + 2).split(' ');
  return {
    comm: stat.slice(stat.indexOf('(') + 1, close),
    state: f[0] ?? '',
    ppid: Number(f[1]),
    cpuTicks: Number(f[11]) + Number(f[12]),
    childrenCpuTicks: Number(f[13]) + Number(f[14]),
  };
}
