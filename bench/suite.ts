// The benchmark suite (issue 15): every section starts what it needs, measures its figures beside a
// baseline from the same run, and the suite prints one table and writes the JSON document
// (bench/results/README.md). Sections run one after another: each has the machine to itself.
// Run: npm run bench                 full (long: 10,000 waiting leads, 10,000 prospects …)
//      npm run bench -- --quick      under 5 minutes on 2 idle cores
//      --only=a,b / --skip=a,b       sections by id; BENCH_WAITING=100000 for the scale section
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { installTemporalRuntime } from '../temporal/runtime.js';
import { bundleWorkflows } from '../workers/bundle.js';
import { adfParse } from './adf-parse.js';
import { campaignFanout } from './campaign-fanout.js';
import { cliStart } from './cli-start.js';
import { handoverDossier } from './handover-dossier.js';
import { imapIngest } from './imap-ingest.js';
import { leadLatency } from './lead-latency.js';
import { leadThroughput } from './lead-throughput.js';
import { mailClassify } from './mail-classify.js';
import { scale } from './scale.js';
import { slotGrant } from './slot-grant.js';
import { stopAck } from './stop-ack.js';
import { stopEndToEnd } from './stop-e2e.js';
import { Runner } from './lib/lead-runs.js';
import { startLeadBench } from './lib/lead-stack.js';
import { gitFacts, machineFacts, renderTable, writeResults, type SectionResult } from './lib/report.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const list = (flag: string) =>
  args
    .find((a) => a.startsWith(`${flag}=`))
    ?.split('=')[1]
    ?.split(',') ?? null;
const only = list('--only');
const skip = list('--skip') ?? [];
const wanted = (id: string) => (only === null || only.includes(id)) && !skip.includes(id);

/** Sizes per mode. Quick keeps every section, smaller; full is what the issue's targets are stated at. */
const P = quick
  ? {
      cpuSeconds: 1,
      perPhase: 40,
      rounds: 2,
      single: 20,
      burst: 60,
      waiting: 2_000,
      samples: 40,
      stopLeads: 100,
      stops: 3,
      stopE2eLeads: 150,
      stopE2eStops: 2,
      prospects: 1_000,
      emails: 50,
      slotLeads: 100,
      dossiers: 50,
      cliRuns: 2,
    }
  : {
      cpuSeconds: 3,
      perPhase: 200,
      rounds: 3,
      single: 100,
      burst: 300,
      waiting: 10_000,
      samples: 200,
      stopLeads: 1_000,
      stops: 7,
      stopE2eLeads: 1_000,
      stopE2eStops: 5,
      prospects: 10_000,
      emails: 500,
      slotLeads: 1_000,
      dossiers: 200,
      cliRuns: 15,
    };
const waiting = Number(process.env.BENCH_WAITING ?? P.waiting);

type Job = { ids: string[]; run: () => Promise<SectionResult[]> };
const jobs: Job[] = [
  { ids: ['adf-parse'], run: async () => [await adfParse({ seconds: P.cpuSeconds })] },
  { ids: ['mail-classify'], run: async () => [await mailClassify({ seconds: P.cpuSeconds })] },
  {
    // Throughput and latency share one stack and its warm-up (which also fixes the baseline's shape).
    ids: ['lead-throughput', 'lead-latency'],
    run: async () => {
      const bench = await startLeadBench();
      try {
        const runner = new Runner(bench);
        await runner.calibrate();
        const out: SectionResult[] = [];
        if (wanted('lead-throughput')) out.push(await leadThroughput(runner, { perPhase: P.perPhase, rounds: P.rounds, concurrency: 32 }));
        if (wanted('lead-latency')) out.push(await leadLatency(runner, { single: P.single, burst: P.burst, concurrency: 32 }));
        return out;
      } finally {
        await bench.stop();
      }
    },
  },
  { ids: ['scale'], run: async () => [await scale({ waiting, samples: P.samples, concurrency: 32 })] },
  { ids: ['stop-ack'], run: async () => [await stopAck({ leads: P.stopLeads, stops: P.stops })] },
  { ids: ['stop-e2e'], run: async () => [await stopEndToEnd({ leads: P.stopE2eLeads, stops: P.stopE2eStops })] },
  { ids: ['campaign-fanout'], run: async () => [await campaignFanout({ prospects: P.prospects })] },
  { ids: ['imap-ingest'], run: async () => [await imapIngest({ emails: P.emails, toSend: true })] },
  { ids: ['slot-grant'], run: async () => [await slotGrant({ leads: P.slotLeads })] },
  { ids: ['handover-dossier'], run: async () => [await handoverDossier({ runs: P.dossiers })] },
  { ids: ['cli-start'], run: async () => [await cliStart({ runs: P.cliRuns })] },
];

installTemporalRuntime({ metricsAddress: undefined, logLevel: process.env.LOG_LEVEL ?? 'warn' });
const log = (m: string) => process.stderr.write(`[bench] ${m}\n`);
const startedAt = new Date();
const machine = machineFacts();
const mode = quick ? 'quick' : 'full';
log(`${mode} mode; ${machine.cores} cores, load average ${machine.loadAverageStart.join(' ')}, Node ${machine.node}`);

// One workflow bundle for every lead worker of the run (in this process and the spawned worker).
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'leadflow-bench-'));
const bundlePath = path.join(tmp, 'workflow-bundle.js');
fs.writeFileSync(bundlePath, (await bundleWorkflows()).code);
process.env.LEADFLOW_WORKFLOW_BUNDLE = bundlePath;

const sections: Array<SectionResult & { seconds: number; error?: string }> = [];
for (const job of jobs) {
  if (!job.ids.some(wanted)) continue;
  const t = performance.now();
  log(`${job.ids.join(', ')} …`);
  try {
    const results = await job.run();
    const seconds = Math.round((performance.now() - t) / 100) / 10;
    for (const r of results) sections.push({ ...r, seconds });
    log(`${job.ids.join(', ')} done in ${seconds} s`);
  } catch (err) {
    const error = err instanceof Error ? (err.stack ?? err.message) : String(err);
    log(`${job.ids.join(', ')} FAILED: ${error}`);
    for (const id of job.ids.filter(wanted)) {
      sections.push({ id, title: id, baseline: '—', params: {}, rows: [], detail: null, seconds: Math.round((performance.now() - t) / 100) / 10, error });
    }
  }
}
fs.rmSync(tmp, { recursive: true, force: true });

machine.loadAverageEnd = os.loadavg().map((x) => Math.round(x * 100) / 100);
const finishedAt = new Date();
const seconds = Math.round((finishedAt.getTime() - startedAt.getTime()) / 1000);
const doc = {
  suite: 'leadflow-bench',
  format: 1,
  mode,
  command: `npm run bench${args.length > 0 ? ` -- ${args.join(' ')}` : ''}`,
  startedAt: startedAt.toISOString(),
  finishedAt: finishedAt.toISOString(),
  seconds,
  machine,
  git: gitFacts(ROOT),
  sections,
};
const files = writeResults(path.join(ROOT, 'bench', 'results'), doc);

console.log(`leadflow benchmark suite: ${mode} mode (${doc.command}), ${(seconds / 60).toFixed(1)} min`);
console.log(
  `machine: ${machine.cores} cores (${machine.cpu}), ${Math.round(machine.memoryMiB / 1024)} GiB, Node ${machine.node}, ${machine.platform}; ` +
    `load average ${machine.loadAverageStart.join(' ')} at the start, ${machine.loadAverageEnd.join(' ')} at the end`,
);
console.log(`commit ${doc.git.commit?.slice(0, 12) ?? 'unknown'}${doc.git.dirty === true ? ' with uncommitted changes in the tree' : ''}`);
console.log('');
console.log(renderTable(sections));
console.log('');
console.log(`JSON: ${files.map((f) => path.relative(ROOT, f)).join(', ')}`);
process.exit(sections.some((s) => s.error !== undefined) ? 1 : 0);
