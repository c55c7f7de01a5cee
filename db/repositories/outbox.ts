// The outbox ledger's rows: the claim, the outcome, and the reads around them. The step two
// attempts race on, the flip to in flight, is one conditional UPDATE inside the send gate
// (send-gate.ts), so they cannot both believe they own the provider call.
import { sql, type QueryCreator } from 'kysely';
import type { Database, OutboxRow } from '../schema.js';
import type { Db } from './leads.js';

export interface OutboxClaim {
  idempotencyKey: string;
  leadId: string;
  step: number;
  channel: 'email' | 'sms';
  provider: string;
  recipient: string;
  subject: string | null;
  body: string;
  messageId?: string | null;
  unsubscribeToken?: string | null;
  /** The registry inbox that sends it (null: the configured sender). */
  inboxId?: string | null;
  campaignId?: string | null;
  variant?: string | null;
}

/**
 * Inserts the row if new and returns it as stored (a retry gets the original back), in one
 * statement: the CTE's insert returns the new row; the union's other half reads the statement's
 * snapshot, which never holds the row just inserted, so exactly one half answers. Only when
 * another transaction inserted the key after this statement's snapshot (the insert waited for it,
 * then did nothing) do both halves come back empty, and a second read finds its row.
 */
export async function claimOutbox(db: Db, c: OutboxClaim): Promise<OutboxRow> {
  const stored = () => db.selectFrom('outbox').selectAll().where('idempotency_key', '=', c.idempotencyKey);
  const inserted = (qb: QueryCreator<Database>) =>
    qb
      .insertInto('outbox')
      .values({
        idempotency_key: c.idempotencyKey,
        lead_id: c.leadId,
        step: c.step,
        channel: c.channel,
        provider: c.provider,
        recipient: c.recipient,
        subject: c.subject,
        body: c.body,
        message_id: c.messageId ?? null,
        unsubscribe_token: c.unsubscribeToken ?? null,
        inbox_id: c.inboxId ?? null,
        campaign_id: c.campaignId ?? null,
        variant: c.variant ?? null,
      })
      .onConflict((oc) => oc.column('idempotency_key').doNothing())
      .returningAll();
  const row = await db.with('ins', inserted).selectFrom('ins').selectAll().unionAll(stored()).executeTakeFirst();
  return row ?? stored().executeTakeFirstOrThrow();
}

/** The newest message whose List-Unsubscribe link carries this token: its lead and address. */
export async function findOutboxByUnsubscribeToken(db: Db, token: string): Promise<Pick<OutboxRow, 'lead_id' | 'recipient' | 'channel'> | undefined> {
  return db
    .selectFrom('outbox')
    .select(['lead_id', 'recipient', 'channel'])
    .where('unsubscribe_token', '=', token)
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export async function finishOutboxCall(
  db: Db,
  key: string,
  outcome:
    | { status: 'sent'; providerMessageId: string | null }
    | { status: 'failed' | 'uncertain'; errorCode: string | null; error: string }
    | { status: 'pending'; errorCode: string | null; error: string },
): Promise<void> {
  const base = { in_flight: false, updated_at: sql<Date>`now()` };
  const set =
    outcome.status === 'sent'
      ? { ...base, status: 'sent', provider_message_id: outcome.providerMessageId, sent_at: sql<Date>`now()`, error_code: null, error: null }
      : { ...base, status: outcome.status, error_code: outcome.errorCode, error: outcome.error };
  await db.updateTable('outbox').set(set).where('idempotency_key', '=', key).execute();
}

/** A provider event (webhook) that names this idempotency key: proof the provider took the message. */
export async function providerEventForKey(db: Db, key: string): Promise<{ provider: string; type: string; providerMessageId: string | null } | undefined> {
  const row = await db
    .selectFrom('provider_events')
    .select(['provider', 'type', sql<string | null>`coalesce(payload->>'sg_message_id', payload->>'MessageSid')`.as('message_id')])
    .where((eb) => eb.or([eb(sql`payload->>'idempotency_key'`, '=', key), eb(sql`payload->>'idempotencyKey'`, '=', key)]))
    .orderBy('received_at')
    .executeTakeFirst();
  return row === undefined ? undefined : { provider: row.provider, type: row.type, providerMessageId: row.message_id };
}

export async function getOutbox(db: Db, key: string): Promise<OutboxRow | undefined> {
  return db.selectFrom('outbox').selectAll().where('idempotency_key', '=', key).executeTakeFirst();
}

export async function listOutbox(db: Db, q: { leadId?: string; limit: number; offset: number }): Promise<OutboxRow[]> {
  let query = db.selectFrom('outbox').selectAll().orderBy('created_at', 'desc').orderBy('idempotency_key').limit(q.limit).offset(q.offset);
  if (q.leadId !== undefined) query = query.where('lead_id', '=', q.leadId);
  return query.execute();
}

/** The outbound message whose Message-ID carries one of these tokens (plus-addressed replies). */
export async function findOutboxByReplyToken(db: Db, tokens: string[]): Promise<OutboxRow | undefined> {
  const wanted = [...new Set(tokens.filter((t) => /^[0-9a-f]{32}$/.test(t)))];
  if (wanted.length === 0) return undefined;
  return db
    .selectFrom('outbox')
    .selectAll()
    .where((eb) => eb.or(wanted.map((t) => eb('message_id', 'like', `<${t}@%`))))
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** The outbound message one of these Message-IDs names (the newest, if several match). */
export async function findOutboxByMessageId(db: Db, ids: string[]): Promise<OutboxRow | undefined> {
  const wanted = [...new Set(ids.filter((i) => i !== ''))];
  if (wanted.length === 0) return undefined;
  return db.selectFrom('outbox').selectAll().where('message_id', 'in', wanted).orderBy('created_at', 'desc').limit(1).executeTakeFirst();
}
