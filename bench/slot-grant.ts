// Slot grant latency with 1,000 leads asking one inbox at once: reserveSlot (update-with-start on
// the inbox workflow) from concurrent callers against the dev server, the inbox run by the lead
// worker (saving its figures to a real PostgreSQL). Three ways of asking: every caller at once,
// straight to the server (the server admits 10 updates in flight per workflow and refuses the
// rest, which the client retries with backoff); through a per-inbox queue of one update per
// caller, 4 in flight (bench/lib/update-queue.ts, what the slot activity did before); and
// through the slot activity's batcher (activities/inboxes/inbox-batch.ts: 4 updates in flight,
// each carrying up to 50 callers' requests). Baselines from the same run: a
// query round-trip to the same inbox and one uncontended grant; the ratio is each p50/p95 over
// the uncontended grant's.
// Run: npm run bench:slot-grant          (SLOT_BENCH_LEADS=N, default 1000)
import { inboxBatcher } from '../activities/inboxes/inbox-batch.js';
import { inboxStatusQuery, inboxWorkflowId, TRANSACTIONAL_POLICY, inboxEntityKey } from '../workflows/inbox/contract.js';
import { reserveSlot, type InboxStart } from '../temporal/inbox-client.js';
import { startDevStack } from '../tests/helpers/stack.js';
import { uniqueName } from '../tests/helpers/temporal.js';
import { row, type SectionResult } from './lib/report.js';
import { inboxCallQueue } from './lib/update-queue.js';
import { isMain } from './lib/stats.js';

const BASE_RUNS = 100;

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((s.length * p) / 100))] ?? 0;
};
const r1 = (x: number) => Math.round(x * 10) / 10;

export async function slotGrant(o: { leads: number }): Promise<SectionResult> {
  const LEADS = o.leads;
  const taskQueue = uniqueName('slot-bench');
  const stack = await startDevStack({ leadWorker: { taskQueue } });
  try {
    const client = stack.env.client;
    const inbox = (id: string): InboxStart => ({ inboxId: id, policy: { ...TRANSACTIONAL_POLICY, dailyCap: 100_000 }, createdAt: 0, taskQueue });
    const timed = async (fn: () => Promise<unknown>) => {
      const t = performance.now();
      await fn();
      return performance.now() - t;
    };

    // Baselines on a warm inbox: sequential grants and queries.
    const base = inbox('bench-base');
    const handle = client.workflow.getHandle(inboxWorkflowId(inboxEntityKey(base.inboxId, taskQueue)));
    const grant1: number[] = [];
    const query: number[] = [];
    for (let i = 0; i < BASE_RUNS + 10; i++) {
      const g = await timed(() => reserveSlot(client, base, { key: `base:${i}`, leadId: `lead:base-${i}` }));
      const q = await timed(() => handle.query(inboxStatusQuery));
      if (i < 10) continue;
      grant1.push(g);
      query.push(q);
    }

    /** LEADS callers ask one fresh inbox at the same moment; each latency is from that moment. */
    async function herd(name: string, ask: (inboxId: string, key: string) => Promise<unknown>) {
      const id = `bench-${name}`;
      await reserveSlot(client, inbox(id), { key: 'warm', leadId: 'lead:warm' }); // started and cached, like a busy inbox
      const lat: number[] = [];
      let failed = 0;
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: LEADS }, async (_, i) => {
          try {
            await ask(id, `lead:${name}-${i}:step:1`);
            lat.push(performance.now() - t0);
          } catch {
            failed += 1;
          }
        }),
      );
      const wall = (performance.now() - t0) / 1000;
      const status = await client.workflow.getHandle(inboxWorkflowId(inboxEntityKey(id, taskQueue))).query(inboxStatusQuery);
      return {
        p50: r1(pct(lat, 50)),
        p95: r1(pct(lat, 95)),
        max: r1(Math.max(...lat)),
        failed,
        grantsPerSecond: r1(lat.length / wall),
        grantedToday: status.grantedToday - 1,
      };
    }

    const queue = inboxCallQueue(client);
    const queued = await herd('queued', (id, key) =>
      queue(inboxEntityKey(id, taskQueue), () => reserveSlot(client, inbox(id), { key, leadId: key }), Date.now() + 120_000),
    );
    const batcher = inboxBatcher(client).reserve;
    const batched = await herd('batched', (id, key) => batcher(inboxEntityKey(id, taskQueue), inbox(id), { key, leadId: key }, Date.now() + 120_000));
    const direct = await herd('direct', (id, key) => reserveSlot(client, inbox(id), { key, leadId: key }));

    const b = { grantMs: { p50: r1(pct(grant1, 50)), p95: r1(pct(grant1, 95)) }, queryMs: { p50: r1(pct(query, 50)), p95: r1(pct(query, 95)) } };
    const ratio = (x: { p50: number; p95: number }) => ({ p50: r1(x.p50 / b.grantMs.p50), p95: r1(x.p95 / b.grantMs.p95) });
    const summary = {
      bench: 'slot-grant',
      leads: LEADS,
      batched,
      queued,
      direct,
      baseline: b,
      ratio: { batched: ratio(batched), queued: ratio(queued), direct: ratio(direct) },
    };
    return {
      id: 'slot-grant',
      title: `Slot grants, ${LEADS} leads asking one inbox at once`,
      baseline: 'one uncontended grant on a warm inbox',
      params: o,
      rows: [
        row("through the slot activity's batcher: p50", 'ms', batched.p50, b.grantMs.p50),
        row("through the slot activity's batcher: p95", 'ms', batched.p95, b.grantMs.p95),
        row('through the batcher: grants per second', '/s', batched.grantsPerSecond, null),
        row('one update per caller, 4 in flight: p50', 'ms', queued.p50, b.grantMs.p50),
        row('one update per caller, 4 in flight: p95', 'ms', queued.p95, b.grantMs.p95),
        row('one update per caller: grants per second', '/s', queued.grantsPerSecond, null),
        row('all straight to the server: p50', 'ms', direct.p50, b.grantMs.p50),
        row('all straight to the server: p95', 'ms', direct.p95, b.grantMs.p95),
      ],
      detail: summary,
    };
  } finally {
    await stack.stop();
  }
}

if (isMain(import.meta.url)) {
  const LEADS = Number(process.env.SLOT_BENCH_LEADS ?? 1000);
  type Herd = { p50: number; p95: number; max: number; failed: number; grantsPerSecond: number };
  const summary = (await slotGrant({ leads: LEADS })).detail as {
    batched: Herd;
    queued: Herd;
    direct: Herd;
    baseline: { grantMs: { p50: number; p95: number }; queryMs: { p50: number; p95: number } };
    ratio: Record<'batched' | 'queued' | 'direct', { p50: number; p95: number }>;
  };
  const { batched, queued, direct, baseline: b } = summary;
  console.log(`${LEADS} leads asking one inbox at once (grant latency from the moment all asked)`);
  console.log(
    `through the slot activity's batcher (4 × ≤50)     p50 ${batched.p50} ms, p95 ${batched.p95} ms, max ${batched.max} ms; ${batched.grantsPerSecond} grants/s, ${batched.failed} failed`,
  );
  console.log(
    `one update per caller (4 in flight)  p50 ${queued.p50} ms, p95 ${queued.p95} ms, max ${queued.max} ms; ${queued.grantsPerSecond} grants/s, ${queued.failed} failed`,
  );
  console.log(
    `all straight to the server                        p50 ${direct.p50} ms, p95 ${direct.p95} ms, max ${direct.max} ms; ${direct.grantsPerSecond} grants/s, ${direct.failed} failed`,
  );
  console.log(
    `baseline: one uncontended grant p50 ${b.grantMs.p50} ms, p95 ${b.grantMs.p95} ms; query round-trip p50 ${b.queryMs.p50} ms, p95 ${b.queryMs.p95} ms`,
  );
  console.log(
    `ratio over one grant: batched p50 ${summary.ratio.batched.p50}x, p95 ${summary.ratio.batched.p95}x; queued p50 ${summary.ratio.queued.p50}x, p95 ${summary.ratio.queued.p95}x; direct p50 ${summary.ratio.direct.p50}x, p95 ${summary.ratio.direct.p95}x`,
  );
  console.log(JSON.stringify(summary));
}
