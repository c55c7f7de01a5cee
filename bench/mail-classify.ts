// Inbound classification throughput on the test corpus (bounces, ARF, auto-replies, replies, ADF,
// a newsletter), with mailparser's simpleParser alone on the same bytes as the baseline: the
// ratio is what the classifier adds (delivery-status parsing, quote stripping, dates, ADF search).
// Run: npx tsx bench/mail-classify.ts           (MAIL_BENCH_SECONDS=N per phase, default 3)
import fs from 'node:fs';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { classifyMail } from '../domain/mail/classify/index.js';
import { row, type SectionResult } from './lib/report.js';
import { isMain } from './lib/stats.js';

const DIR = path.resolve(import.meta.dirname, '../tests/fixtures/mail');

interface Rate {
  perCpuSecond: number;
  p95Ms: number;
}

export async function mailClassify(o: { seconds: number }): Promise<SectionResult> {
  const corpus = fs
    .readdirSync(DIR)
    .filter((f) => f.endsWith('.eml'))
    .sort()
    .map((f) => fs.readFileSync(path.join(DIR, f)));

  async function measure(fn: (raw: Buffer) => Promise<unknown>): Promise<Rate> {
    const run = async (seconds: number) => {
      const end = performance.now() + seconds * 1000;
      const cpu0 = process.cpuUsage();
      const times: number[] = [];
      while (performance.now() < end) {
        for (const raw of corpus) {
          const t = performance.now();
          await fn(raw);
          times.push(performance.now() - t);
        }
      }
      const cpu = process.cpuUsage(cpu0);
      times.sort((a, b) => a - b);
      return {
        perCpuSecond: Math.round(times.length / ((cpu.user + cpu.system) / 1e6)),
        p95Ms: Math.round((times[Math.floor(times.length * 0.95)] ?? 0) * 100) / 100,
      };
    };
    await run(0.5);
    return run(o.seconds);
  }

  const classified = await measure((raw) => classifyMail(raw));
  const parsed = await measure((raw) => simpleParser(raw, { keepDeliveryStatus: true }));
  return {
    id: 'mail-classify',
    title: 'Mail classification, per core',
    baseline: "mailparser's simpleParser alone on the same bytes",
    params: { ...o, messages: corpus.length, corpusKiB: Math.round(corpus.reduce((n, b) => n + b.length, 0) / 102.4) / 10 },
    rows: [
      row('classifyMail', 'msgs/CPU-s', classified.perCpuSecond, parsed.perCpuSecond),
      row('classifyMail p95 per message', 'ms', classified.p95Ms, parsed.p95Ms),
    ],
    detail: { classified, parsed, heapUsedMiB: Math.round(process.memoryUsage().heapUsed / 104857.6) / 10 },
  };
}

if (isMain(import.meta.url)) {
  const r = await mailClassify({ seconds: Number(process.env.MAIL_BENCH_SECONDS ?? 3) });
  const d = r.detail as { classified: Rate; parsed: Rate; heapUsedMiB: number };
  const p = r.params as { messages: number; corpusKiB: number };
  const fmt = (x: Rate) => `${x.perCpuSecond.toLocaleString('en-US').padStart(6)} messages per CPU-second, p95 ${x.p95Ms.toFixed(2)} ms`;
  console.log(`corpus: ${p.messages} messages, ${p.corpusKiB} KB`);
  console.log(`classifyMail             ${fmt(d.classified)}`);
  console.log(`simpleParser (baseline)  ${fmt(d.parsed)}`);
  console.log(`ratio: classification costs ${(d.parsed.perCpuSecond / d.classified.perCpuSecond).toFixed(1)}x a bare parse`);
  console.log(`heap used: ${d.heapUsedMiB} MB`);
}
