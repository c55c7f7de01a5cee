// CLI cold start: wall time from spawn to exit of `leadflow` commands that stop before any
// network or database I/O (help texts, the pure `adf parse` / `mail classify`, and `leads add` /
// `apikey create` up to their first I/O: their code loads, then a bad setting stops them), with
// `node -e 0` as the baseline in the same run. Rounds are interleaved (one of each command per
// round) so a busy machine slows every row alike; one warm-up round first (it also builds
// dist/cli/ when the sources changed). A run during which dist/cli/ was rebuilt (a source edit
// meanwhile) is run again; the rebuild itself is the "first run after a source edit" row.
// On Linux the CPU time of each run (user + system, all threads, 10 ms ticks) is shown as well:
// steadier than wall time when other work shares the machine.
// Run: npm run bench:cli    (CLI_BENCH_RUNS=N rounds, default 15; CLI_BENCH_TSX=1 adds the same
// commands run from the TypeScript sources through tsx; CLI_BENCH_COMPARE=/other/checkout/bin/leadflow.mjs
// adds that checkout's CLI, e.g. an older commit, for a before/after in one run)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { row as figureRow, type SectionResult } from './lib/report.js';
import { isMain } from './lib/stats.js';
import { procStat } from '../tests/helpers/proc-stat.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const CLI = path.join(ROOT, 'bin', 'leadflow.mjs');
const STAMP = path.join(ROOT, 'dist', 'cli', 'build.json');
const ADF = path.join(ROOT, 'tests', 'fixtures', 'adf', 'iso-8859-1.xml');
const EML = path.join(ROOT, 'tests', 'fixtures', 'mail', 'adf-body.eml');

interface Case {
  name: string;
  args: string[];
  exit: number;
  env?: Record<string, string>;
}

const leadflow: Case[] = [
  { name: '--help', args: ['--help'], exit: 0 },
  { name: 'leads add --help', args: ['leads', 'add', '--help'], exit: 0 },
  { name: 'apikey create --help', args: ['apikey', 'create', '--help'], exit: 0 },
  { name: 'up --help', args: ['up', '--help'], exit: 0 },
  { name: 'adf parse FILE', args: ['adf', 'parse', ADF], exit: 0 },
  { name: 'mail classify FILE', args: ['mail', 'classify', EML], exit: 0 },
  // Loads the Temporal client and the lead code, then stops at the configuration (exit 78, EX_CONFIG).
  { name: 'leads add, to first I/O', args: ['leads', 'add', '--email', 'a@example.com'], exit: 78, env: { TEMPORAL_ADDRESS: 'no-port' } },
  // Loads the database layer, then refuses the scope before opening the database.
  { name: 'apikey create, to first I/O', args: ['apikey', 'create', '--name', 'x', '--scopes', 'none'], exit: 1 },
];

interface Row {
  label: string;
  argv: string[];
  exit: number;
  env: NodeJS.ProcessEnv;
  ms: number[];
  cpuMs: number[];
  compiled?: boolean;
  before?: () => void;
}
export interface CliStartOptions {
  runs: number;
  /** The same commands run from the TypeScript sources through tsx. */
  tsx?: boolean;
  /** Another checkout's bin/leadflow.mjs, for a before/after in one run. */
  compare?: string;
}

export async function cliStart(o: CliStartOptions): Promise<SectionResult> {
  const RUNS = o.runs;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadflow-cli-bench-'));
  // No provider settings from the caller's shell; nothing may reach a server.
  const baseEnv: NodeJS.ProcessEnv = {
    ...Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !/^(DATABASE_URL|TEMPORAL_|API_|IMAP_|SMTP_|SENDGRID_|TWILIO_|OPENAI_|WORKER_|LEADFLOW_)/.test(k)),
    ),
    LOG_LEVEL: 'silent',
    LEADFLOW_DATA_DIR: dataDir,
  };
  const row = (label: string, argv: string[], exit: number, env: Record<string, string> = {}, more: Partial<Row> = {}): Row => ({
    label,
    argv,
    exit,
    env: { ...baseEnv, ...env },
    ms: [],
    cpuMs: [],
    ...more,
  });
  const rows: Row[] = [row('node -e 0', ['-e', '0'], 0)];
  for (const c of leadflow) rows.push(row(`leadflow ${c.name}`, [CLI, ...c.args], c.exit, c.env, { compiled: true }));
  // Without its stamp dist/cli/ counts as stale, as after a source edit: esbuild runs, then the command.
  rows.push(row('leadflow --help, first run after an edit', [CLI, '--help'], 0, {}, { before: () => fs.rmSync(STAMP, { force: true }) }));
  if (o.tsx === true) {
    for (const c of leadflow) rows.push(row(`  via tsx: ${c.name}`, [CLI, ...c.args], c.exit, { ...c.env, LEADFLOW_CLI_TSX: '1' }));
  }
  const other = o.compare;
  if (other !== undefined) for (const c of leadflow) rows.push(row(`  compare: ${c.name}`, [path.resolve(other), ...c.args], c.exit, c.env));

  // CPU time of this process's finished children (cutime + cstime in /proc/self/stat), or null.
  const TICK_MS = 10;
  function childrenCpuMs(): number | null {
    const stat = procStat('self');
    return stat === null ? null : stat.childrenCpuTicks * TICK_MS;
  }

  const stampTime = () => fs.statSync(STAMP, { throwIfNoEntry: false })?.mtimeMs;
  let rebuilt = 0;

  function once(r: Row): { ms: number; cpuMs: number | null } {
    r.before?.();
    const stamp = stampTime();
    const cpu = childrenCpuMs();
    const t = performance.now();
    const res = spawnSync(process.execPath, r.argv, { cwd: ROOT, env: r.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const ms = performance.now() - t;
    const cpuAfter = childrenCpuMs();
    if (res.status !== r.exit) {
      throw new Error(`${r.label}: exit ${res.status ?? res.signal}, expected ${r.exit}\n${res.stderr.toString().slice(0, 2000)}`);
    }
    if (r.compiled && stampTime() !== stamp && rebuilt++ < 10 * rows.length) return once(r);
    return { ms, cpuMs: cpu === null || cpuAfter === null ? null : cpuAfter - cpu };
  }
  try {
    for (const r of rows) once(r);
    const built = fs.existsSync(STAMP);
    for (let i = 0; i < RUNS; i++) {
      for (const r of rows) {
        const { ms, cpuMs } = once(r);
        r.ms.push(ms);
        if (cpuMs !== null) r.cpuMs.push(cpuMs);
      }
    }

    const pct = (xs: number[], p: number) => {
      const s = [...xs].sort((a, b) => a - b);
      return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? NaN;
    };
    const commands: CliTiming[] = rows.map((r) => ({
      label: r.label,
      medianMs: Math.round(pct(r.ms, 50)),
      p95Ms: Math.round(pct(r.ms, 95)),
      cpuMedianMs: r.cpuMs.length === 0 ? null : Math.round(pct(r.cpuMs, 50)),
    }));
    const [node, ...others] = commands;
    return {
      id: 'cli-start',
      title: 'CLI cold start, median of interleaved runs',
      baseline: 'node -e 0 in the same rounds',
      params: { runs: RUNS },
      rows: others.map((c) => figureRow(c.label.trim(), 'ms', c.medianMs, node?.medianMs ?? null)),
      detail: { built, rebuilt, commands, loadAverageEnd: os.loadavg()[0] },
    };
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

interface CliTiming {
  label: string;
  medianMs: number;
  p95Ms: number;
  cpuMedianMs: number | null;
}

if (isMain(import.meta.url)) {
  const RUNS = Number(process.env.CLI_BENCH_RUNS ?? 15);
  const compare = process.env.CLI_BENCH_COMPARE;
  const r = await cliStart({ runs: RUNS, tsx: process.env.CLI_BENCH_TSX === '1', ...(compare !== undefined && { compare }) });
  const { built, rebuilt, commands, loadAverageEnd } = r.detail as { built: boolean; rebuilt: number; commands: CliTiming[]; loadAverageEnd: number };
  const base = commands[0]?.medianMs ?? NaN;
  const cpuBase = commands[0]?.cpuMedianMs ?? NaN;
  const cpu = (c: CliTiming) => (c.cpuMedianMs === null ? '' : `   ${`${c.cpuMedianMs} ms`.padStart(7)} ${(c.cpuMedianMs / cpuBase).toFixed(1).padStart(5)}`);
  console.log(
    `CLI cold start: ${RUNS} interleaved runs per command after one warm-up, Node ${process.version}, ${os.availableParallelism()} cores, load average ${loadAverageEnd.toFixed(2)} at the end`,
  );
  if (!built) console.log('  (no dist/cli/build.json: the leadflow rows ran from the sources through tsx)');
  if (rebuilt > 0) console.log(`  (${rebuilt} run(s) repeated: dist/cli/ was rebuilt during them, the sources changed)`);
  console.log(
    `  ${'command'.padEnd(40)} ${'median'.padStart(8)} ${'p95'.padStart(8)}  ×node${commands[0]?.cpuMedianMs !== null ? '   CPU median  ×node' : ''}`,
  );
  for (const c of commands) {
    console.log(
      `  ${c.label.padEnd(40)} ${`${c.medianMs} ms`.padStart(8)} ${`${c.p95Ms} ms`.padStart(8)}  ${(c.medianMs / base).toFixed(1).padStart(5)}${cpu(c)}`,
    );
  }
}
