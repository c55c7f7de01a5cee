// Running leads and their baselines through the lead bench stack and reading their paths back:
// start one, know when its first message is accepted (both the lead's local outbox and the
// baseline's stand-in send report it in process), wait until the workflows are idle, then read the histories.
import type { Client } from '@temporalio/client';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.js';
import { submitLead } from '../../temporal/lead-client.js';
import type { SendActivities } from '../../activities/send/ledger.js';
import { testIdentity } from '../../tests/helpers/codec.js';
import { makeLeadInput } from '../../tests/helpers/leads.js';
import { uniqueName } from '../../tests/helpers/temporal.js';
import type { BaselineActivities } from './baseline-activities.js';
import { pathFacts, type Batch, type PathFacts } from './history.js';
import type { LeadBench } from './lead-stack.js';
import { pool, until, withTimeout } from './stats.js';

/** The lead's send activity (workflows/lead/activities.ts); its completion is "first message accepted". */
export const SEND_ACTIVITY: keyof SendActivities = 'sendMessage';
const BASELINE_SEND: keyof BaselineActivities = 'benchSend';

export interface Started {
  id: string;
  /** Epoch ms just before the start call. */
  submittedAt: number;
  sent: Promise<void>;
}
export interface Measured {
  id: string;
  submittedAt: number;
  facts: PathFacts;
  /** Submit → first message accepted, ms. */
  latencyMs: number;
}

export type Kind = 'lead' | 'baseline';

/**
 * Ms from each lead's start time (epoch ms, by lead ID) to its first message accepted: waits until
 * every lead's outbox row is 'sent', then reads the send's completion from the history.
 */
export async function firstSends(client: Client, db: Kysely<Database>, from: Map<string, number>, timeoutMs?: number): Promise<number[]> {
  return (await firstSendFacts(client, db, from, timeoutMs)).map((s) => s.ms);
}

/** As firstSends, with each lead's path facts (its split by the history's timestamps). */
export async function firstSendFacts(
  client: Client,
  db: Kysely<Database>,
  from: Map<string, number>,
  timeoutMs = 120_000 + from.size * 1_000,
): Promise<Array<{ ms: number; startDelayMs: number; facts: PathFacts }>> {
  const ids = [...from.keys()];
  await until(
    `${ids.length} leads' first messages`,
    async () => {
      const sent = await db
        .selectFrom('outbox')
        .select(db.fn.countAll<string>().as('n'))
        .where('status', '=', 'sent')
        .where('lead_id', 'in', ids)
        .executeTakeFirst();
      return Number(sent?.n ?? 0) >= ids.length;
    },
    timeoutMs,
    100,
  );
  return pool(ids, 8, async (id) => {
    // The outbox row turns 'sent' inside the send activity, a moment before the server records the
    // activity's completion: read the history again until it has it (seen as a failed quick run).
    const deadline = Date.now() + 30_000;
    let facts = pathFacts(await client.workflow.getHandle(id).fetchHistory(), SEND_ACTIVITY);
    while (facts === null && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      facts = pathFacts(await client.workflow.getHandle(id).fetchHistory(), SEND_ACTIVITY);
    }
    if (facts === null) throw new Error(`lead ${id}: no completed ${SEND_ACTIVITY} in its history within 30 s of its outbox row`);
    const t0 = from.get(id) ?? NaN;
    return { ms: facts.firstSendAt - t0, startDelayMs: facts.startedAt - t0, facts };
  });
}

export class Runner {
  /** The baseline's path, taken from a lead's history (calibrate()). */
  shape: Batch[] = [];

  constructor(readonly b: LeadBench) {}

  async start(kind: Kind): Promise<Started> {
    if (kind === 'lead') {
      const input = makeLeadInput();
      const submittedAt = Date.now();
      const { leadId } = await submitLead(this.b.client, input, { identity: testIdentity, taskQueue: this.b.leadQueue });
      return { id: leadId, submittedAt, sent: this.b.leadSent(leadId) };
    }
    const id = uniqueName('bench-shape');
    const sent = this.b.baselineSent(id);
    const submittedAt = Date.now();
    await this.b.client.workflow.start('benchShapeWorkflow', { workflowId: id, taskQueue: this.b.baseQueue, args: [this.shape] });
    return { id, submittedAt, sent };
  }

  /** `n` of a kind started `concurrency` at a time; resolves when every first message is accepted and all are idle. */
  async phase(kind: Kind, n: number, concurrency: number): Promise<Measured[]> {
    const started = await pool(Array.from({ length: n }), concurrency, () => this.start(kind));
    await withTimeout(Promise.all(started.map((s) => s.sent)), 120_000 + n * 1_000, `every ${kind}'s first message accepted`);
    return this.measure(kind, started);
  }

  /** Waits until none of these workflows has an activity or workflow task pending, then reads their paths. */
  async measure(kind: Kind, started: Started[]): Promise<Measured[]> {
    await this.settle(started.map((s) => s.id));
    return pool(started, 8, async (s) => {
      const history = await this.b.client.workflow.getHandle(s.id).fetchHistory();
      const facts = pathFacts(history, kind === 'lead' ? SEND_ACTIVITY : BASELINE_SEND);
      if (facts === null) throw new Error(`${kind} ${s.id}: no completed ${kind === 'lead' ? SEND_ACTIVITY : BASELINE_SEND} activity in its history`);
      return { id: s.id, submittedAt: s.submittedAt, facts, latencyMs: facts.firstSendAt - s.submittedAt };
    });
  }

  /** Idle: what a lead does after its first message (its records) must not spill into the next phase. */
  async settle(ids: string[], timeoutMs = 60_000): Promise<void> {
    await pool(ids, 16, (id) =>
      until(
        `${id} to go idle`,
        async () => {
          const d = await this.b.client.workflow.getHandle(id).describe();
          return (d.raw.pendingActivities?.length ?? 0) === 0 && d.raw.pendingWorkflowTask == null;
        },
        timeoutMs,
        25,
      ),
    );
  }

  /** One at a time: the next starts once the previous has sent and gone idle. */
  async single(kind: Kind): Promise<Measured> {
    const s = await this.start(kind);
    await withTimeout(s.sent, 60_000, `${kind} ${s.id}'s first message accepted`);
    const [m] = await this.measure(kind, [s]);
    if (m === undefined) throw new Error('no measurement');
    return m;
  }

  /**
   * A few leads and baselines to warm both workers (the implicit inbox starts with the first lead);
   * the last lead's path becomes the baseline's shape.
   */
  async calibrate(warmups = 3): Promise<PathFacts> {
    let last: Measured | undefined;
    for (let i = 0; i < warmups; i++) last = await this.single('lead');
    if (last === undefined) throw new Error('no warm-up lead');
    this.shape = last.facts.shape;
    for (let i = 0; i < warmups; i++) await this.single('baseline');
    return last.facts;
  }
}
