// ADF parse throughput, single-threaded (= per core), on the mixed good fixture corpus, with
// fast-xml-parser's bare XMLParser.parse on the same bytes as the baseline: the ratio is what
// validation, the entity policy, repair and normalisation (phones, e-mails, dates) cost.
// Run: npx tsx bench/adf-parse.ts            (about 12 s; ADF_BENCH_SECONDS=N per phase)
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { parseAdf } from '../domain/adf/parse.js';
import { fixtureBytes, GOOD_FIXTURES } from '../tests/fixtures/adf/support.js';
import { row, type SectionResult } from './lib/report.js';
import { isMain } from './lib/stats.js';

const WARMUP_SECONDS = 0.5;

// Results go to a sink the optimiser cannot prove unused.
let sink = 0;

interface Rate {
  wall: number;
  cpu: number;
}

export async function adfParse(o: { seconds: number }): Promise<SectionResult> {
  const corpus = GOOD_FIXTURES.map((name) => fixtureBytes(name));
  const texts = corpus.map((bytes) => bytes.toString('utf8'));
  const bytesPerPass = corpus.reduce((n, b) => n + b.length, 0);

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
    return loop(o.seconds);
  }

  const bare = new XMLParser();
  const rates = {
    parseAdf: measure((i) => parseAdf(corpus[i] ?? '')),
    xmlParser: measure((i) => bare.parse(corpus[i] ?? '') as unknown),
    validateOnly: measure((i) => XMLValidator.validate(texts[i] ?? '')),
  };
  const round = (r: Rate) => ({ perCpuSecond: Math.round(r.cpu), perWallSecond: Math.round(r.wall) });
  const mem = process.memoryUsage();
  return {
    id: 'adf-parse',
    title: 'ADF parse, per core',
    baseline: "fast-xml-parser's bare XMLParser.parse on the same bytes",
    params: { ...o, fixtures: corpus.length, averageKiB: Math.round((bytesPerPass / corpus.length / 1024) * 10) / 10 },
    rows: [
      row('parseAdf (bytes → AdfDocument)', 'docs/CPU-s', Math.round(rates.parseAdf.cpu), Math.round(rates.xmlParser.cpu)),
      row('µs per document', 'µs', Math.round(1e6 / rates.parseAdf.cpu), Math.round(1e6 / rates.xmlParser.cpu)),
    ],
    detail: {
      parseAdf: round(rates.parseAdf),
      xmlParser: round(rates.xmlParser),
      validateOnly: round(rates.validateOnly),
      heapUsedMiB: Math.round(mem.heapUsed / 104857.6) / 10,
      rssMiB: Math.round(mem.rss / 104857.6) / 10,
      sinkOk: sink > 0,
    },
  };
}

if (isMain(import.meta.url)) {
  const seconds = Number(process.env.ADF_BENCH_SECONDS ?? 3);
  const r = await adfParse({ seconds });
  const d = r.detail as Record<'parseAdf' | 'xmlParser' | 'validateOnly', { perCpuSecond: number; perWallSecond: number }> & {
    heapUsedMiB: number;
    rssMiB: number;
    sinkOk: boolean;
  };
  const p = r.params as { fixtures: number; averageKiB: number };
  const fmt = (n: number): string => Math.round(n).toLocaleString('en-US').padStart(8);
  console.log(`ADF parse benchmark: ${p.fixtures} good fixtures, ${p.averageKiB} KB average, ${seconds} s per phase, Node ${process.version}`);
  const names = { parseAdf: 'parseAdf (bytes → AdfDocument)', xmlParser: 'XMLParser.parse, default options', validateOnly: 'XMLValidator.validate only' };
  for (const [key, name] of Object.entries(names)) {
    const rate = d[key as keyof typeof names];
    console.log(`  ${name.padEnd(34)} ${fmt(rate.perCpuSecond)} docs per CPU-second (${fmt(rate.perWallSecond).trim()} per wall second)`);
  }
  const [adf, baseline] = [d.parseAdf.perCpuSecond, d.xmlParser.perCpuSecond];
  console.log(
    `  parseAdf / bare parse ratio: ${(adf / baseline).toFixed(2)} (parseAdf is ${(baseline / adf).toFixed(1)}x slower; ${(1e6 / adf).toFixed(0)} µs per document)`,
  );
  console.log(`  heap used ${d.heapUsedMiB} MB, rss ${d.rssMiB} MB (sink ${d.sinkOk ? 'ok' : 'empty'})`);
}
