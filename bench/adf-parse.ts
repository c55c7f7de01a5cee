// ADF parse throughput, single-threaded (= per core), on the mixed good fixture corpus, with
// fast-xml-parser's bare XMLParser.parse on the same bytes as the baseline: the ratio is what
// validation, the entity policy, repair and normalisation (phones, e-mails, dates) cost.
// Run: npx tsx bench/adf-parse.ts            (about 12 s; ADF_BENCH_SECONDS=N per phase)
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { parseAdf } from '../domain/adf/parse.js';
import { fixtureBytes, GOOD_FIXTURES } from '../tests/fixtures/adf/support.js';

const SECONDS = Number(process.env.ADF_BENCH_SECONDS ?? 3);
const WARMUP_SECONDS = 0.5;
const corpus = GOOD_FIXTURES.map((name) => fixtureBytes(name));
const texts = corpus.map((bytes) => bytes.toString('utf8'));
const bytesPerPass = corpus.reduce((n, b) => n + b.length, 0);

// Results go to a sink the optimiser cannot prove unused.
let sink = 0;

interface Rate {
  wall: number;
  cpu: number;
}

/**
 * Documents per second for `fn` over the whole corpus, after a warm-up: per wall-clock second,
 * and per CPU second of this process (= per core, and steadier when other work shares the box).
 */
function measure(fn: (i: number) => unknown): Rate {
  const loop = (seconds: number): Rate => {
    const end = performance.now() + seconds * 1000;
    let docs = 0;
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    while (performance.now() < end) {
      for (let i = 0; i < corpus.length; i++) sink += fn(i) === undefined ? 0 : 1;
      docs += corpus.length;
    }
    const cpu = process.cpuUsage(cpuStart);
    return { wall: docs / ((performance.now() - start) / 1000), cpu: docs / ((cpu.user + cpu.system) / 1e6) };
  };
  loop(WARMUP_SECONDS);
  return loop(SECONDS);
}

const mb = (n: number): string => `${(n / 1024 / 1024).toFixed(1)} MB`;
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US').padStart(8);

const bare = new XMLParser();
const rows: [string, Rate][] = [
  ['parseAdf (bytes → AdfDocument)', measure((i) => parseAdf(corpus[i] ?? ''))],
  ['XMLParser.parse, default options', measure((i) => bare.parse(corpus[i] ?? '') as unknown)],
  ['XMLValidator.validate only', measure((i) => XMLValidator.validate(texts[i] ?? ''))],
];

console.log(
  `ADF parse benchmark: ${corpus.length} good fixtures, ${(bytesPerPass / corpus.length / 1024).toFixed(1)} KB average, ${SECONDS} s per phase, Node ${process.version}`,
);
for (const [name, rate] of rows) console.log(`  ${name.padEnd(34)} ${fmt(rate.cpu)} docs per CPU-second (${fmt(rate.wall).trim()} per wall second)`);
const [adf, baseline] = [rows[0]?.[1].cpu ?? 0, rows[1]?.[1].cpu ?? 1];
console.log(
  `  parseAdf / bare parse ratio: ${(adf / baseline).toFixed(2)} (parseAdf is ${(baseline / adf).toFixed(1)}x slower; ${(1e6 / adf).toFixed(0)} µs per document)`,
);
const mem = process.memoryUsage();
console.log(`  heap used ${mb(mem.heapUsed)} of ${mb(mem.heapTotal)}, rss ${mb(mem.rss)} (sink ${sink > 0 ? 'ok' : 'empty'})`);
