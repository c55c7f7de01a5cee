// The global emergency stop: one flag row every send reads right before its provider call, and the
// throttled ramp that follows a resume.
//
// What "acknowledged" means. A send runs its stop check and the flip of its outbox row to in-flight
// in one transaction that holds the advisory lock SEND_GATE_LOCK in shared mode (send-gate.ts); a
// stop sets the flag in a transaction that holds the same lock exclusively (setStopped). The
// exclusive lock waits for every gate holding the shared one, and no gate can take the shared lock
// while the stop holds it. So once setStopped's COMMIT has returned:
//  - every send that passed the check has already committed its in-flight flip (it is in the
//    ledger as in flight: its provider call has started or is about to, and it is countable);
//  - every later check reads stopped = true and refuses: no other provider call starts.
// The provider call runs after the gate's COMMIT, never under the lock: a slow provider must not
// delay the stop, hold a pooled connection, or block the embedded database (which runs one
// transaction at a time).
import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import type { Database, JsonObject, SendingControlRow } from '../schema.js';
import { recordAudit } from './audit.js';
import { jsonb } from './json.js';

/** The send gate's advisory lock key ('lfsg'): fixed, the same in every process. */
export const SEND_GATE_LOCK = 0x6c667367;

export class SendingStoppedError extends Error {
  override readonly name = 'SendingStoppedError';
  constructor(
    readonly reason: string | null,
    readonly stoppedBy: string | null,
    readonly stoppedAt: Date | null,
  ) {
    super(`sending is stopped${stoppedBy !== null ? ` by ${stoppedBy}` : ''}${reason !== null ? `: ${reason}` : ''}`);
  }
}

/**
 * The resume ramp. The rate is a step function: `initialPerMinute` for the first
 * `doublingEveryMinutes`, then twice that, and so on (the runbook: 1 a minute for the first hour,
 * then doubling). Once the rate at the current time exceeds `maxPerMinute` the ramp no longer limits.
 */
export interface RampSettings {
  initialPerMinute: number;
  doublingEveryMinutes: number;
  maxPerMinute: number;
}
export const DEFAULT_RAMP: RampSettings = { initialPerMinute: 1, doublingEveryMinutes: 60, maxPerMinute: 10_000 };
/** Bounds a caller's ramp must respect: a permit spacing of at least 1 ms keeps every permit distinct. */
export const RAMP_BOUNDS = { perMinute: { min: 0.01, max: 60_000 }, doublingMinutes: { min: 1, max: 10_080 } } as const;
// 2^40 × the smallest initial rate is far above any maxPerMinute: more steps change nothing, and an
// unbounded power() would overflow in SQL after a long enough ramp.
const MAX_STEPS = 40;

/** Messages per minute the ramp allows at `at` (epoch ms); the TypeScript twin of rateAt() below. */
export function rampPerMinuteAt(ramp: RampSettings, startedAt: number, at: number): number {
  const steps = Math.min(MAX_STEPS, Math.max(0, Math.floor((at - startedAt) / (ramp.doublingEveryMinutes * 60_000))));
  return ramp.initialPerMinute * 2 ** steps;
}

/** The ramp's rate at timestamp expression `t`, on the row's own settings. */
const rateAt = (t: RawBuilder<unknown>) =>
  sql<number>`((ramp->>'initialPerMinute')::float8 * power(2::float8, least(${sql.lit(MAX_STEPS)}, greatest(0, floor(extract(epoch from (${t} - ramp_started_at)) / ((ramp->>'doublingEveryMinutes')::float8 * 60))))))`;

export interface ControlView {
  stopped: boolean;
  reason: string | null;
  stoppedBy: string | null;
  stoppedAt: string | null;
  resumedBy: string | null;
  resumedAt: string | null;
  /** The last resume's ramp; null when resumed without one (or never stopped). */
  ramp: (RampSettings & { startedAt: string; currentPerMinute: number; active: boolean; lastPermitAt: string | null }) | null;
  updatedAt: string;
}

function rampOf(json: JsonObject | null): RampSettings | null {
  if (json === null) return null;
  const n = (k: keyof RampSettings) => (typeof json[k] === 'number' ? json[k] : DEFAULT_RAMP[k]);
  return { initialPerMinute: n('initialPerMinute'), doublingEveryMinutes: n('doublingEveryMinutes'), maxPerMinute: n('maxPerMinute') };
}

const iso = (d: Date | null) => (d === null ? null : d.toISOString());

export function controlView(row: SendingControlRow, now = Date.now()): ControlView {
  const ramp = rampOf(row.ramp);
  const started = row.ramp_started_at;
  const rate = ramp !== null && started !== null ? rampPerMinuteAt(ramp, started.getTime(), now) : 0;
  return {
    stopped: row.stopped,
    reason: row.reason,
    stoppedBy: row.stopped_by,
    stoppedAt: iso(row.stopped_at),
    resumedBy: row.resumed_by,
    resumedAt: iso(row.resumed_at),
    ramp:
      ramp === null || started === null
        ? null
        : {
            ...ramp,
            startedAt: started.toISOString(),
            currentPerMinute: rate,
            active: !row.stopped && rate <= ramp.maxPerMinute,
            lastPermitAt: iso(row.ramp_cursor),
          },
    updatedAt: row.updated_at.toISOString(),
  };
}

export async function getSendingControl(db: Kysely<Database> | Transaction<Database>): Promise<SendingControlRow> {
  return db.selectFrom('sending_control').selectAll().where('id', '=', 1).executeTakeFirstOrThrow();
}

/** A plain read of the flag, for slot grants (the send itself goes through passSendGate). */
export async function isSendingStopped(db: Kysely<Database> | Transaction<Database>): Promise<boolean> {
  const row = await db.selectFrom('sending_control').select('stopped').where('id', '=', 1).executeTakeFirst();
  return row?.stopped ?? false;
}

/**
 * Stops all sending. Its COMMIT returning is the acknowledgement (see the top of this file). A
 * repeated stop changes nothing (the first reason and actor stay) but still waits for the lock,
 * so its caller gets the same guarantee. The audit row is written in the same transaction.
 */
export async function setStopped(
  db: Kysely<Database>,
  s: { reason: string; by: string; requestId?: string },
): Promise<{ changed: boolean; row: SendingControlRow }> {
  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(${sql.lit(SEND_GATE_LOCK)})`.execute(trx);
    const row = await trx
      .updateTable('sending_control')
      .set({ stopped: true, reason: s.reason, stopped_by: s.by, stopped_at: sql<Date>`now()`, ramp_cursor: null, updated_at: sql<Date>`now()` })
      .where('id', '=', 1)
      .where('stopped', '=', false)
      .returningAll()
      .executeTakeFirst();
    if (row === undefined) return { changed: false, row: await getSendingControl(trx) };
    await recordAudit(trx, {
      apiKeyId: null,
      apiKeyName: s.by,
      method: 'CONTROL',
      route: 'emergency-stop',
      target: 'sending',
      status: 200,
      requestId: s.requestId ?? 'emergency-stop',
      detail: { event: 'stop', reason: s.reason, by: s.by, stoppedAt: iso(row.stopped_at) },
    });
    return { changed: true, row };
  });
}

/** Lifts a stop; sends then go out under `ramp` (null: at once, unthrottled). Resuming while running changes nothing. */
export async function resumeSending(
  db: Kysely<Database>,
  s: { by: string; ramp: RampSettings | null; requestId?: string },
): Promise<{ changed: boolean; row: SendingControlRow }> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .updateTable('sending_control')
      .set({
        stopped: false,
        resumed_by: s.by,
        resumed_at: sql<Date>`now()`,
        ramp: s.ramp === null ? null : jsonb(s.ramp),
        ramp_started_at: s.ramp === null ? null : sql<Date>`now()`,
        ramp_cursor: null,
        updated_at: sql<Date>`now()`,
      })
      .where('id', '=', 1)
      .where('stopped', '=', true)
      .returningAll()
      .executeTakeFirst();
    if (row === undefined) return { changed: false, row: await getSendingControl(trx) };
    const stoppedFor = row.stopped_at !== null && row.resumed_at !== null ? (row.resumed_at.getTime() - row.stopped_at.getTime()) / 1000 : null;
    await recordAudit(trx, {
      apiKeyId: null,
      apiKeyName: s.by,
      method: 'CONTROL',
      route: 'resume',
      target: 'sending',
      status: 200,
      requestId: s.requestId ?? 'resume',
      detail: {
        event: 'resume',
        by: s.by,
        reason: row.reason,
        stoppedBy: row.stopped_by,
        stoppedAt: iso(row.stopped_at),
        resumedAt: iso(row.resumed_at),
        stoppedForSeconds: stoppedFor,
        ramp: s.ramp === null ? null : { ...s.ramp },
      },
    });
    return { changed: true, row };
  });
}

/**
 * One send's place in the resume ramp: null when no ramp limits sends (none set, stopped, or its
 * rate at `now` is above maxPerMinute); else the epoch ms at which this send may go.
 *
 * The maths: rate(t) = initialPerMinute × 2^floor((t − ramp_started_at) / doublingEveryMinutes),
 * messages per minute. Permits are spaced by the rate at the previous permit: the first is `now`,
 * each next one is max(now, previous + 60 s / rate(previous)). So a minute at rate r holds at most
 * r permits, nothing accumulates while nobody sends (no burst after a quiet spell), and the cursor
 * never moves backwards. It is one UPDATE of the one row: concurrent callers queue on its row lock
 * and each re-reads the cursor the previous one left, so every caller gets its own permit.
 */
export async function takeRampPermit(db: Kysely<Database> | Transaction<Database>, now: number | Date): Promise<number | null> {
  const at = sql`cast(${new Date(now).toISOString()} as timestamptz)`;
  const row = await db
    .updateTable('sending_control')
    .set({
      ramp_cursor: sql<Date>`case when ramp_cursor is null then ${at}
        else greatest(${at}, ramp_cursor + make_interval(secs => 60 / ${rateAt(sql`ramp_cursor`)})) end`,
    })
    .where('id', '=', 1)
    .where('stopped', '=', false)
    .where('ramp', 'is not', null)
    .where('ramp_started_at', 'is not', null)
    .where(sql<boolean>`${rateAt(at)} <= (ramp->>'maxPerMinute')::float8`)
    .returning('ramp_cursor')
    .executeTakeFirst();
  return row?.ramp_cursor?.getTime() ?? null;
}
