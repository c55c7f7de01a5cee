// Handover dossier generation time (the `handover_dossier_generation_ms` path): database reads,
// summary, suggested answer and rendering, with the fact/template fallback and with the AI (the
// real openai client against the local stand-in, so it measures our side, not a model). The
// baseline is rendering alone on the same data. Uses real PostgreSQL (a throwaway cluster).
// Run: npx tsx bench/handover-dossier.ts          (DOSSIER_BENCH_RUNS=N, default 200)
import { createDrafter } from '../activities/ai/drafter.js';
import { renderDossier } from '../activities/handover/dossier.js';
import { createHandoverActivities } from '../activities/handover/index.js';
import { createSummarizer } from '../activities/handover/summary.js';
import { claimOutbox, finishOutboxCall, recordLeadEvent, upsertLead } from '../db/index.js';
import { startOpenAI } from '../tests/helpers/standins/openai.js';
import { openTestDb } from '../tests/helpers/test-db.js';
import { row, type SectionResult } from './lib/report.js';
import { isMain } from './lib/stats.js';

type P = { p50: number; p95: number };

export async function handoverDossier(o: { runs: number }): Promise<SectionResult> {
  const RUNS = o.runs;
  const tdb = await openTestDb();
  const ai = await startOpenAI({
    apiKey: 'sk-bench',
    defaultContent: JSON.stringify({ subject: 'Your 2024 Subaru Outback', body: 'Hi Jane, the 2024 Subaru Outback is ready for Saturday. — Acme' }),
  });
  try {
    const leadId = 'lead:bench:id:1';
    await upsertLead(tdb.db, {
      id: leadId,
      source: 'bench',
      external_id: '1',
      campaign_id: null,
      first_name: 'Jane',
      last_name: 'Doe',
      email: 'jane@example.com',
      phone: '+14155552671',
      status: 'replied',
      payload: { vehicle: { year: 2024, make: 'Subaru', model: 'Outback' } },
    });
    await recordLeadEvent(tdb.db, {
      leadId,
      eventKey: 'scored',
      type: 'scored',
      detail: {
        score: 82,
        tier: 'hot',
        reasons: [
          { rule: 'contact.email', points: 5, detail: 'e-mail address given' },
          { rule: 'timeframe.week', points: 20, detail: 'buying this week' },
        ],
      },
    });
    for (let step = 1; step <= 3; step++) {
      const key = `${leadId}:step:${step}`;
      await claimOutbox(tdb.db, {
        idempotencyKey: key,
        leadId,
        step,
        channel: 'email',
        provider: 'local',
        recipient: 'jane@example.com',
        subject: 'Hi',
        body: `Message ${step} about the 2024 Subaru Outback.`,
      });
      await finishOutboxCall(tdb.db, key, { status: 'sent', providerMessageId: null });
    }
    await recordLeadEvent(tdb.db, {
      leadId,
      eventKey: 'reply:1',
      type: 'reply',
      detail: { text: 'Yes, Saturday at 10 works for a test drive.', intent: 'interested' },
    });

    const activities = (withAi: boolean) =>
      createHandoverActivities({
        db: tdb.db,
        senderName: 'Acme Motors',
        secret: 'bench-secret',
        publicUrl: 'http://127.0.0.1:3000/',
        leadUrl: (id) => `http://ui/${id}`,
        fallbackManager: null,
        sendMessage: async () => {
          throw new Error('not used');
        },
        drafter: createDrafter(withAi ? { openai: { apiKey: 'sk-bench', baseUrl: `${ai.url}/v1`, model: 'gpt-4o-mini' } } : {}),
        summarize: createSummarizer(withAi ? { apiKey: 'sk-bench', baseUrl: `${ai.url}/v1`, model: 'gpt-4o-mini' } : undefined),
      });
    const time = async (fn: () => Promise<unknown>) => {
      for (let i = 0; i < 10; i++) await fn();
      const ms: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const t = performance.now();
        await fn();
        ms.push(performance.now() - t);
      }
      ms.sort((a, b) => a - b);
      return { p50: ms[Math.floor(RUNS * 0.5)] ?? 0, p95: ms[Math.floor(RUNS * 0.95)] ?? 0 };
    };
    const fallback = await time(() => activities(false).buildDossier({ handoverId: 'handover:b', leadId, escalation: 0 }));
    const withAi = await time(() => activities(true).buildDossier({ handoverId: 'handover:b', leadId, escalation: 0 }));
    const data = {
      lead: { id: leadId, name: 'Jane Doe', email: 'jane@example.com', phone: null, source: 'bench', campaign: null },
      vehicles: ['2024 Subaru Outback'],
      score: null,
      conversation: [{ from: 'lead' as const, at: '2026-11-23T00:00:00Z', text: 'Yes' }],
      summary: { text: 'Jane', path: 'template' as const },
      suggested: { subject: 'x', body: 'y', path: 'template' as const },
      ackUrl: 'http://x/',
      leadUrl: 'http://y/',
      escalation: 0,
    };
    const render = await time(async () => renderDossier(data));
    const r2 = (x: P): P => ({ p50: Math.round(x.p50 * 100) / 100, p95: Math.round(x.p95 * 100) / 100 });
    return {
      id: 'handover-dossier',
      title: 'Handover dossier generation',
      baseline: 'rendering alone on the same data',
      params: o,
      rows: [
        row('fallback (facts summary, template answer), p95', 'ms', r2(fallback).p95, r2(render).p95),
        row('AI path (openai client → local stand-in), p95', 'ms', r2(withAi).p95, r2(render).p95),
      ],
      detail: { fallback: r2(fallback), withAi: r2(withAi), render: r2(render) },
    };
  } finally {
    await ai.close();
    await tdb.close();
  }
}

if (isMain(import.meta.url)) {
  const RUNS = Number(process.env.DOSSIER_BENCH_RUNS ?? 200);
  const { fallback, withAi, render } = (await handoverDossier({ runs: RUNS })).detail as Record<'fallback' | 'withAi' | 'render', P>;
  const f = (r: { p50: number; p95: number }) => `p50 ${r.p50.toFixed(2)} ms, p95 ${r.p95.toFixed(2)} ms`;
  console.log(`${RUNS} dossiers each`);
  console.log(`fallback (facts summary, template answer)   ${f(fallback)}`);
  console.log(`AI path (openai client → local stand-in)    ${f(withAi)}`);
  console.log(
    `baseline: rendering alone                   ${f(render)}  (fallback dossier = ${(fallback.p95 / Math.max(render.p95, 0.001)).toFixed(0)}x rendering at p95)`,
  );
}
