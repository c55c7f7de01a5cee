// The suite's output: one row per figure (beside its same-run baseline and the ratio), a plain-text
// table for people, and a JSON document for tools (bench/results/README.md describes it).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface Row {
  what: string;
  /** ms, s, leads/s, MiB, KiB, docs/CPU-s …; '' for a plain count. */
  unit: string;
  figure: number | null;
  baseline: number | null;
  /** figure ÷ baseline; filled in by `row()` when both are known and positive. */
  ratio: number | null;
  /** The target for this figure, as text; '' when it sets none. */
  target: string;
}

export interface SectionResult {
  id: string;
  title: string;
  /** What the baseline column is, in one line. */
  baseline: string;
  params: Record<string, unknown>;
  rows: Row[];
  /** The section's own summary, as its script prints it. */
  detail: unknown;
}

export function row(what: string, unit: string, figure: number | null, baseline: number | null, target = ''): Row {
  const ok = (x: number | null): x is number => x !== null && Number.isFinite(x);
  // A ratio of a signed figure (a time that may fall before its reference) would mislead.
  const ratio = ok(figure) && ok(baseline) && figure > 0 && baseline > 0 ? Math.round((figure / baseline) * 100) / 100 : null;
  return { what, unit, figure: ok(figure) ? figure : null, baseline: ok(baseline) ? baseline : null, ratio, target };
}

function num(x: number | null, unit: string): string {
  if (x === null) return '—';
  const abs = Math.abs(x);
  const digits = abs >= 100 || Number.isInteger(x) ? 0 : abs >= 10 ? 1 : 2;
  const s = x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  return unit === '' ? s : `${s} ${unit}`;
}

/** The table: what | figure | baseline | ratio | target, a heading line per section. */
export function renderTable(sections: Array<Pick<SectionResult, 'title' | 'baseline' | 'rows'> & { error?: string }>): string {
  const head = ['what', 'figure', 'baseline', 'ratio', 'target'];
  const body: Array<string[] | string> = [];
  for (const s of sections) {
    body.push(`${s.title} (baseline: ${s.baseline})`);
    if (s.error !== undefined) body.push(`  FAILED: ${s.error.split('\n')[0]}`);
    for (const r of s.rows) body.push([`  ${r.what}`, num(r.figure, r.unit), num(r.baseline, r.unit), r.ratio === null ? '—' : r.ratio.toFixed(2), r.target]);
  }
  const cells = body.filter((b): b is string[] => Array.isArray(b));
  const width = head.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const line = (c: string[]) =>
    c
      .map((v, i) => (i === 0 || i === 4 ? v.padEnd(width[i] ?? 0) : v.padStart(width[i] ?? 0)))
      .join(' | ')
      .trimEnd();
  const rule = width.map((w) => '-'.repeat(w)).join('-|-');
  return [line(head), rule, ...body.map((b) => (Array.isArray(b) ? line(b) : b))].join('\n');
}

export interface MachineFacts {
  cores: number;
  cpu: string;
  memoryMiB: number;
  node: string;
  platform: string;
  loadAverageStart: number[];
  loadAverageEnd?: number[];
}

export function machineFacts(): MachineFacts {
  return {
    cores: os.availableParallelism(),
    cpu: os.cpus()[0]?.model ?? 'unknown',
    memoryMiB: Math.round(os.totalmem() / 1048576),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    loadAverageStart: os.loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

/** The commit measured and whether the tree had uncommitted changes (others edit it meanwhile). */
export function gitFacts(root: string): { commit: string | null; dirty: boolean | null } {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  try {
    return { commit: git('rev-parse', 'HEAD'), dirty: git('status', '--porcelain', '--untracked-files=no') !== '' };
  } catch {
    return { commit: null, dirty: null };
  }
}

/** Writes `latest.json` and a timestamped copy into `dir`; returns both paths. */
export function writeResults(dir: string, doc: { startedAt: string }): string[] {
  fs.mkdirSync(dir, { recursive: true });
  const text = `${JSON.stringify(doc, null, 2)}\n`;
  const stamped = path.join(dir, `${doc.startedAt.replace(/[:.]/g, '-')}.json`);
  const latest = path.join(dir, 'latest.json');
  fs.writeFileSync(stamped, text);
  fs.writeFileSync(latest, text);
  return [latest, stamped];
}
