// The lead workflow code's own CPU, by replay: a committed lead history replayed many times
// against this tree's workflow bundle and, interleaved in the same process, against the bundle of
// another commit (the baseline). Replay runs the workflow code, the SDK's sandbox and its
// promise hook with no server, database or network in the loop, so a change to workflow code
// shows here when the live throughput bench's spread (±15 % on this VM) would hide it. Each pair
// of batches alternates which goes first; the ratio reported is the median of the pairs'.
// Run: node --import tsx bench/workflow-cpu.ts
//   BENCH_AGAINST=<git rev> (default HEAD: the working tree's changes), BENCH_HISTORY=<name in
//   histories/leadWorkflowV2> (default inbox-slot-first-send-reply), BENCH_N=<replays per batch>
//   (default 100), BENCH_PAIRS=<default 12>
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from '@temporalio/worker';
import { loadHistories, type StoredHistory } from '../temporal/histories.js';
import { bundleWorkflows } from '../workers/bundle.js';
import { installTemporalRuntime } from '../temporal/runtime.js';
import { testDataConverter } from '../tests/helpers/codec.js';
import { renderTable, row, type SectionResult } from './lib/report.js';
import { pct, r2 } from './lib/stats.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const against = process.env.BENCH_AGAINST ?? 'HEAD';
const historyName = process.env.BENCH_HISTORY ?? 'inbox-slot-first-send-reply';
const perBatch = Number(process.env.BENCH_N ?? 100);
const pairs = Number(process.env.BENCH_PAIRS ?? 12);

/** The workflow bundle of commit `rev`, built in a throwaway worktree that borrows our node_modules. */
function bundleOf(rev: string): { code: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'leadflow-wfcpu-'));
  const tree = path.join(dir, 'tree');
  try {
    execFileSync('git', ['-C', ROOT, 'worktree', 'add', '--detach', tree, rev], { stdio: 'ignore' });
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(tree, 'node_modules'));
    const out = path.join(dir, 'bundle.js');
    execFileSync(process.execPath, ['--import', 'tsx', path.join(tree, 'scripts', 'bundle-workflows.ts'), out], { cwd: tree, stdio: 'ignore' });
    return { code: readFileSync(out, 'utf8') };
  } finally {
    execFileSync('git', ['-C', ROOT, 'worktree', 'remove', '--force', tree], { stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
  }
}

/** CPU of this whole process (the replay's workflow thread included) per replay of `h`, in ms. */
async function batch(bundle: { code: string }, h: StoredHistory, name: string): Promise<number> {
  const before = process.cpuUsage();
  const replays = Worker.runReplayHistories(
    { workflowBundle: bundle, replayName: name, dataConverter: testDataConverter },
    Array.from({ length: perBatch }, () => ({ workflowId: h.workflowId, history: h.history })),
  );
  let n = 0;
  for await (const r of replays) {
    if (r.error) throw r.error;
    n += 1;
  }
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000 / n;
}

installTemporalRuntime({ metricsAddress: undefined, logLevel: process.env.LOG_LEVEL ?? 'warn' });
const h = loadHistories().find((x) => x.workflowType === 'leadWorkflowV2' && x.name === historyName);
if (h === undefined) throw new Error(`no history histories/leadWorkflowV2/${historyName}.json`);
const ours = { code: (await bundleWorkflows()).code };
const theirs = bundleOf(against);
// One batch of each first: the first replays of a bundle pay for its sandbox and source map.
await batch(ours, h, 'warm-ours');
await batch(theirs, h, 'warm-baseline');
const oursMs: number[] = [];
const theirsMs: number[] = [];
const ratios: number[] = [];
for (let i = 0; i < pairs; i++) {
  const oursFirst = i % 2 === 0;
  const a = await batch(oursFirst ? ours : theirs, h, `a${i}`);
  const b = await batch(oursFirst ? theirs : ours, h, `b${i}`);
  const [o, t] = oursFirst ? [a, b] : [b, a];
  oursMs.push(o);
  theirsMs.push(t);
  ratios.push(o / t);
}
const section: SectionResult = {
  id: 'workflow-cpu',
  title: `Lead workflow CPU per replay (${historyName})`,
  baseline: `the same history replayed with the workflow bundle of ${against}, batches interleaved`,
  params: { against, history: historyName, perBatch, pairs },
  rows: [
    row('CPU per replay, median of batches', 'ms', r2(pct(oursMs, 50)), r2(pct(theirsMs, 50))),
    row('pairs: ratio, median', '', r2(pct(ratios, 50)), null),
    row('pairs: ratio, lowest', '', r2(Math.min(...ratios)), null),
    row('pairs: ratio, highest', '', r2(Math.max(...ratios)), null),
    row(`pairs where this tree used less CPU, of ${pairs}`, '', ratios.filter((x) => x < 1).length, null),
  ],
  detail: { oursMs: oursMs.map(r2), baselineMs: theirsMs.map(r2), ratios: ratios.map(r2) },
};
console.log(renderTable([section]));
console.log(JSON.stringify([section]));
