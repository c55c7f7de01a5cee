// Waiting for many leads at once: their workflows are queried (the `state` query) in small
// batches until each satisfies the scenario's expectation, recording when it first did. No
// sleep decides anything: the deadline only bounds how long "eventually" may take.
import type { Client } from '@temporalio/client';
import type { Kysely } from 'kysely';
import { listLeadEvents, listOutbox, type Database } from '../../../db/index.js';
import { queryLeadState } from '../../../temporal/lead-client.js';
import type { LeadState } from '../../../workflows/lead/contract.js';
import { eventually } from '../eventually.js';
import { sleep } from './report.js';

export interface Settled {
  states: Map<string, LeadState>;
  doneAt: Map<string, number>;
  pending: string[];
  error: Error | null;
}

export async function settleLeads<L extends { leadId: string }>(
  client: Client,
  leads: L[],
  done: (lead: L, state: LeadState) => boolean,
  timeoutMs: number,
  show: (lead: L, state: LeadState | undefined) => string,
): Promise<Settled> {
  const states = new Map<string, LeadState>();
  const doneAt = new Map<string, number>();
  const pending = new Set(leads);
  let error: Error | null = null;
  try {
    await eventually(
      `every lead at its expected state (${leads.length})`,
      async () => {
        const batch = [...pending];
        for (let i = 0; i < batch.length; i += 20) {
          await Promise.all(
            batch.slice(i, i + 20).map(async (l) => {
              const s = await queryLeadState(client, l.leadId).catch(() => undefined);
              if (s === undefined) return;
              states.set(l.leadId, s);
              if (done(l, s)) {
                pending.delete(l);
                doneAt.set(l.leadId, Date.now());
              }
            }),
          );
        }
        // Each query is a workflow task on the worker under test: fewer of them when many are pending.
        if (pending.size > 0) await sleep(1_000 + 10 * pending.size);
        return pending.size === 0;
      },
      timeoutMs,
    );
  } catch (err) {
    const sample = [...pending].slice(0, 10).map((l) => show(l, states.get(l.leadId)));
    error = new Error(`${(err as Error).message}: ${pending.size} of ${leads.length} leads not at their expected state, e.g.\n${sample.join('\n')}`, {
      cause: err,
    });
  }
  return { states, doneAt, pending: [...pending].map((l) => l.leadId), error };
}

/** Percentiles of a list of numbers (nearest rank). */
export function percentiles(values: number[], ps: number[] = [50, 95, 100]): Record<string, number> {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0;
  return Object.fromEntries(ps.map((p) => [p === 100 ? 'max' : `p${p}`, at(p)]));
}

/** LEADFLOW_CHAOS_DEBUG: the timelines of the slowest leads on stderr, to see what a long tail waited on. */
export async function dumpSlowest(
  db: Kysely<Database>,
  leads: Array<{ leadId: string; submittedAt: number }>,
  doneAt: Map<string, number>,
  n = 3,
): Promise<void> {
  const took = (l: { leadId: string; submittedAt: number }) => (doneAt.get(l.leadId) ?? Date.now()) - l.submittedAt;
  const first = Math.min(...leads.map((l) => l.submittedAt));
  for (const l of [...leads].sort((a, b) => took(b) - took(a)).slice(0, n)) {
    const out = [`[chaos-debug] ${l.leadId} submitted +${Math.round((l.submittedAt - first) / 1000)}s took ${Math.round(took(l) / 1000)}s`];
    for (const e of await listLeadEvents(db, l.leadId))
      out.push(`  ${e.occurred_at.toISOString().slice(11, 23)} ${e.type} ${JSON.stringify(e.detail).slice(0, 160)}`);
    for (const r of await listOutbox(db, { leadId: l.leadId, limit: 10, offset: 0 }))
      out.push(`  outbox ${r.idempotency_key} ${r.status} attempts=${r.attempts} ${r.error_code ?? ''} ${r.error ?? ''}`);
    process.stderr.write(`${out.join('\n')}\n`);
  }
}

/**
 * When a lead got where it was going, from its own timeline (lead_events): the first event that
 * `reached` accepts. Read after the run, so measuring costs the worker nothing while it runs.
 */
export async function secondsToReach<L extends { leadId: string; submittedAt: number }>(
  db: Kysely<Database>,
  leads: L[],
  reached: (lead: L, e: { type: string; detail: Record<string, unknown> }) => boolean,
): Promise<number[]> {
  const out: number[] = [];
  for (const l of leads) {
    const e = (await listLeadEvents(db, l.leadId)).find((x) => reached(l, { type: x.type, detail: x.detail }));
    if (e !== undefined) out.push(Math.max(0, Math.round((e.occurred_at.getTime() - l.submittedAt) / 1000)));
  }
  return out;
}
