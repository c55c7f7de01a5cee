// Provider webhook events, at most once per provider event identity.
import { jsonb } from './json.js';
import type { Db } from './leads.js';

export interface ProviderEvent {
  provider: 'sendgrid' | 'twilio';
  eventId: string;
  leadId: string | null;
  type: string;
  payload: object;
}

/**
 * The longest event id or lead id a webhook may store, in bytes: both are btree index keys, and
 * PostgreSQL refuses an entry over ~2.7 KB (a 500 before the webhooks checked it).
 */
export const MAX_PROVIDER_KEY_BYTES = 512;

export async function recordProviderEvent(db: Db, e: ProviderEvent): Promise<{ inserted: boolean }> {
  const row = await db
    .insertInto('provider_events')
    .values({ provider: e.provider, event_id: e.eventId, lead_id: e.leadId, type: e.type, payload: jsonb(e.payload) })
    .onConflict((oc) => oc.columns(['provider', 'event_id']).doNothing())
    .returning('event_id')
    .executeTakeFirst();
  return { inserted: row !== undefined };
}

export async function countProviderEvents(db: Db, provider: ProviderEvent['provider']): Promise<number> {
  const row = await db
    .selectFrom('provider_events')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('provider', '=', provider)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
