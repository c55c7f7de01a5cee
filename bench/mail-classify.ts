// Inbound classification throughput on the test corpus (bounces, ARF, auto-replies, replies, ADF,
// a newsletter), with mailparser's simpleParser alone on the same bytes as the baseline: the
// ratio is what the classifier adds (delivery-status parsing, quote stripping, dates, ADF search).
// Run: npx tsx bench/mail-classify.ts           (MAIL_BENCH_SECONDS=N per phase, default 3)
import fs from 'node:fs';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { classifyMail } from '../domain/mail/classify/index.js';

const SECONDS = Number(process.env.MAIL_BENCH_SECONDS ?? 3);
const DIR = path.resolve(import.meta.dirname, '../tests/fixtures/mail');
const corpus = fs
  .readdirSync(DIR)
  .filter((f) => f.endsWith('.eml'))
  .sort()
  .map((f) => fs.readFileSync(path.join(DIR, f)));

async function measure(fn: (raw: Buffer) => Promise<unknown>): Promise<{ perCpuSecond: number; p95Ms: number }> {
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
    return { perCpuSecond: times.length / ((cpu.user + cpu.system) / 1e6), p95Ms: times[Math.floor(times.length * 0.95)] ?? 0 };
  };
  await run(0.5);
  return run(SECONDS);
}

const classified = await measure((raw) => classifyMail(raw));
const parsed = await measure((raw) => simpleParser(raw, { keepDeliveryStatus: true }));
const fmt = (r: { perCpuSecond: number; p95Ms: number }) =>
  `${Math.round(r.perCpuSecond).toLocaleString('en-US').padStart(6)} messages per CPU-second, p95 ${r.p95Ms.toFixed(2)} ms`;
console.log(`corpus: ${corpus.length} messages, ${(corpus.reduce((n, b) => n + b.length, 0) / 1024).toFixed(1)} KB`);
console.log(`classifyMail             ${fmt(classified)}`);
console.log(`simpleParser (baseline)  ${fmt(parsed)}`);
console.log(`ratio: classification costs ${(parsed.perCpuSecond / classified.perCpuSecond).toFixed(1)}x a bare parse`);
console.log(`heap used: ${(process.memoryUsage().heapUsed / 1024 / 1024).toFixed(1)} MB`);
