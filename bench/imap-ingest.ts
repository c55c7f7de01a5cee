// Arrival-to-workflow-start latency through IMAP IDLE: N ADF e-mails are APPENDed to a real IMAP
// server (GreenMail) while the watcher runs; each message's latency is from its APPEND completing
// to its lead workflow accepting it (signal-with-start returned) on a real Temporal dev server.
// Baseline, same run: the same ingest (parse + signal-with-start) called directly, no IMAP.
// Run: npx tsx bench/imap-ingest.ts   (BENCH_N=500 by default)
import { createLogger } from '../config/logger.js';
import { createIngestor } from '../intake/ingest.js';
import { watchMailbox } from '../activities/mail/imap-watch.js';
import { adfEmail, adfXml } from '../tests/helpers/adf.js';
import { appendMessage, startMailServer } from '../tests/helpers/mailserver.js';
import { createDevServerEnv, uniqueName } from '../tests/helpers/temporal.js';
import { openTestDb } from '../tests/helpers/test-db.js';

const N = Number(process.env.BENCH_N ?? 500);
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const fmt = (xs: number[]) => `p50 ${pct(xs, 50).toFixed(1)} ms, p95 ${pct(xs, 95).toFixed(1)} ms, max ${Math.max(...xs).toFixed(1)} ms`;

const user = { user: 'bench@example.com', password: 'bench-secret', email: 'bench@example.com' };
const [env, tdb, mail] = await Promise.all([createDevServerEnv(), openTestDb(), startMailServer({ users: [user] })]);
try {
  const ingest = createIngestor({
    client: env.client,
    db: tdb.db,
    log: createLogger('silent'),
    leadIdSecret: 'bench-lead-id-secret-0123456789abcdef',
    taskQueue: uniqueName('bench-leads'),
  });
  const mails = await Promise.all(Array.from({ length: N }, (_, i) => adfEmail(adfXml({ id: `bench-${i}-${uniqueName('x')}` }))));

  // Baseline: the same work without IMAP (half the messages, fresh ids, to avoid merging).
  const base: number[] = [];
  const baseMails = await Promise.all(Array.from({ length: Math.ceil(N / 2) }, (_, i) => adfEmail(adfXml({ id: `base-${i}-${uniqueName('x')}` }))));
  for (const [i, raw] of baseMails.entries()) {
    const t = performance.now();
    await ingest(raw, { source: 'cli', sourceRef: 'bench', arrivalKey: `bench:${i}`, receivedAt: new Date() });
    base.push(performance.now() - t);
  }

  const appendedAt = new Map<number, number>();
  const latency: number[] = [];
  const stop = new AbortController();
  let done = 0;
  let allDone!: () => void;
  const finished = new Promise<void>((r) => {
    allDone = r;
  });
  const watching = watchMailbox({
    imap: { ...mail.imap, user: user.user, password: user.password },
    mailbox: 'INBOX',
    checkpoint: null,
    signal: stop.signal,
    handle: async (msg) => {
      await ingest(msg.raw, { source: 'imap', sourceRef: 'bench', arrivalKey: `imap:bench:${msg.uidValidity}:${msg.uid}`, receivedAt: new Date() });
      const t0 = appendedAt.get(msg.uid);
      if (t0 !== undefined) latency.push(performance.now() - t0);
      if (++done === N) allDone();
    },
    onCheckpoint: () => undefined,
  });
  await new Promise((r) => setTimeout(r, 1000)); // connected and idling
  const started = performance.now();
  for (const raw of mails) {
    const { uid } = await appendMessage(mail, user, raw);
    if (uid !== undefined) appendedAt.set(uid, performance.now());
  }
  await finished;
  const wall = (performance.now() - started) / 1000;
  stop.abort();
  await watching;

  console.log(`IMAP IDLE arrival -> lead workflow accepted, ${N} e-mails: ${fmt(latency)}; ${(N / wall).toFixed(1)} e-mails/s`);
  console.log(`baseline (same ingest, no IMAP), ${base.length} e-mails: ${fmt(base)}`);
  console.log(`ratio IMAP/baseline: p50 ${(pct(latency, 50) / pct(base, 50)).toFixed(2)}x, p95 ${(pct(latency, 95) / pct(base, 95)).toFixed(2)}x`);
  console.log(`heap used: ${(process.memoryUsage().heapUsed / 1048576).toFixed(0)} MiB`);
} finally {
  await mail.stop();
  await env.teardown();
  await tdb.close();
}
