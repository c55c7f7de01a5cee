// The send gate: the last checks before a provider call and the flip of the outbox row to in
// flight, as one transaction of two statements (see control.ts for what the stop's
// acknowledgement means):
//  1. the locks: the emergency stop's SEND_GATE_LOCK in shared mode and, for a registry inbox's
//     message, that inbox's own lock, keyed by the plain inbox id (what is counted: every send of
//     its rows, whichever queue it runs on), so two sends of one inbox cannot both take its last
//     place;
//  2. one statement that reads the stop flag, the recipient's suppression, the inbox's pause and
//     today's count against its limit, and the lead's campaign status, and flips the row only when
//     none refuses.
// The inbox's count is what really went out today (sent or in flight), not the slots it planned:
// a cap checked only when slots are planned overshoots (a health drop after planning, a stop that
// pushed yesterday's slots into today).
// The locks must be their own statement: a statement's snapshot is taken when it starts, so a flag
// read in the statement that waited for the lock would miss a stop committed during the wait.
// Folding the reads into the flip keeps a send to five round trips (BEGIN, locks, verdict, COMMIT,
// and the outcome), where a statement per check took eleven.
import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.js';
import { campaignStatusRefusal } from './campaigns.js';
import { SEND_GATE_LOCK } from './control.js';
import { normaliseAddress } from './suppressions.js';

/** The per-inbox guard's advisory lock class ('lfig'), with hashtext(inbox id) as the key. */
const INBOX_GUARD_LOCK = 0x6c666967;

export interface GateRequest {
  /** The outbox row's idempotency key. */
  key: string;
  /** Checked against the suppression list; null for internal messages (to our own salespeople). */
  recipient: string | null;
  /**
   * The registry inbox that sends it. Two keys, because the figures and the messages are filed
   * differently: the saved figures under the inbox entity's key on the sending task queue
   * (`stateKey`, see inboxEntityKey), the outbox rows under the plain inbox id.
   */
  inbox: { inboxId: string; stateKey: string } | null;
  /** The lead whose campaign's pause or cancel holds the send; null when not a campaign message. */
  campaignLeadId: string | null;
  now: number;
}

export type GateVerdict =
  | { kind: 'began' }
  /** Another attempt holds the call, or the row is no longer pending. */
  | { kind: 'busy' }
  | { kind: 'suppressed' }
  | { kind: 'stopped'; reason: string | null; stoppedBy: string | null; stoppedAt: Date | null }
  | { kind: 'inbox'; reason: string }
  | { kind: 'campaign'; reason: string };

interface VerdictRow {
  began: boolean;
  suppressed: boolean;
  stopped: boolean;
  reason: string | null;
  stopped_by: string | null;
  stopped_at: Date | null;
  inbox_paused: boolean;
  inbox_full: boolean;
  daily_limit: number | null;
  campaign_id: string | null;
  campaign_status: string | null;
  campaign_status_by: string | null;
}

/**
 * Passes the gate or says why not. Refusals leave the row pending: nothing was called. A day
 * that has ended (now ≥ day_started_at + 24 h, the inbox has not rolled over yet) has no count to
 * hold against the limit. The caller must not hold a transaction (the embedded database runs one
 * at a time).
 */
export async function passSendGate(db: Kysely<Database>, g: GateRequest): Promise<GateVerdict> {
  const now = sql`cast(${new Date(g.now).toISOString()} as timestamptz)`;
  const stateKey = g.inbox?.stateKey ?? null;
  const inboxId = g.inbox?.inboxId ?? null;
  const recipient = g.recipient === null ? null : normaliseAddress(g.recipient);
  const row = await db.transaction().execute(async (trx) => {
    await (
      g.inbox === null
        ? sql`select pg_advisory_xact_lock_shared(${sql.lit(SEND_GATE_LOCK)})`
        : sql`select pg_advisory_xact_lock_shared(${sql.lit(SEND_GATE_LOCK)}), pg_advisory_xact_lock(${sql.lit(INBOX_GUARD_LOCK)}, hashtext(${inboxId}))`
    ).execute(trx);
    const res = await sql<VerdictRow>`
      with ctl as (select stopped, reason, stopped_by, stopped_at from sending_control where id = 1),
      st as (select paused, paused_until, daily_limit, day_started_at from inbox_state where inbox_id = ${stateKey}),
      used as (
        select count(*) as n from outbox o, st
        where o.inbox_id = ${inboxId} and o.updated_at >= st.day_started_at and (o.status = 'sent' or o.in_flight)
      ),
      camp as (
        select c.id, c.status, c.status_by from leads l join campaigns c on c.id = l.campaign_id where l.id = ${g.campaignLeadId}
      ),
      v as (
        select
          exists (select 1 from suppressions where address = ${recipient}) as suppressed,
          coalesce((select stopped from ctl), false) as stopped,
          exists (select 1 from st where paused and (paused_until is null or paused_until > ${now})) as inbox_paused,
          exists (select 1 from st where ${now} < day_started_at + interval '24 hours' and (select n from used) >= daily_limit) as inbox_full,
          exists (select 1 from camp where status in ('paused', 'cancelling', 'cancelled')) as campaign_held
      ),
      flip as (
        update outbox set in_flight = true, attempts = attempts + 1, updated_at = now()
        where idempotency_key = ${g.key} and status = 'pending' and in_flight = false
          and not (select suppressed or stopped or inbox_paused or inbox_full or campaign_held from v)
        returning 1
      )
      select exists (select 1 from flip) as began, v.suppressed, v.stopped, ctl.reason, ctl.stopped_by, ctl.stopped_at,
        v.inbox_paused, v.inbox_full, st.daily_limit, camp.id as campaign_id, camp.status as campaign_status, camp.status_by as campaign_status_by
      from v left join ctl on true left join st on true left join camp on true`.execute(trx);
    return res.rows[0]!;
  });
  return verdictOf(row, inboxId);
}

/** The first refusal in the order the checks always ran: suppression, stop, inbox, campaign. */
function verdictOf(r: VerdictRow, inboxId: string | null): GateVerdict {
  if (r.began) return { kind: 'began' };
  if (r.suppressed) return { kind: 'suppressed' };
  if (r.stopped) return { kind: 'stopped', reason: r.reason, stoppedBy: r.stopped_by, stoppedAt: r.stopped_at };
  if (r.inbox_paused) return { kind: 'inbox', reason: `inbox ${inboxId} is paused` };
  if (r.inbox_full) return { kind: 'inbox', reason: `inbox ${inboxId} reached today's limit of ${r.daily_limit} messages` };
  const held =
    r.campaign_id === null || r.campaign_status === null
      ? null
      : campaignStatusRefusal({ id: r.campaign_id, status: r.campaign_status, status_by: r.campaign_status_by });
  if (held !== null) return { kind: 'campaign', reason: held };
  return { kind: 'busy' };
}
