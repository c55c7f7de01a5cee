// Campaign leads whose workflow start is deferred until their first step is due
// (temporal/campaign-leads.ts). Their rows are stored by the fan-out, in the transaction that marks
// the prospects started, because the workflow's own persist runs only when the delay ends: until
// then the operator still finds the lead (GET /leads/:id, status 'scheduled'), "active in another
// campaign" counts it, and the cancel sweep reaches it. A row the workflow has already written (a
// page rerun after the delay) is left as it is.
import { jsonb } from './json.js';
import type { Db } from './leads.js';

/** The status of a lead whose workflow has not run yet. Not final, and not yet in conversation. */
export const SCHEDULED_STATUS = 'scheduled';

export interface ScheduledLead {
  id: string;
  source: string;
  campaignId: string;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  phone: string | null;
  payload: Record<string, unknown>;
  /** When its workflow's first task is due: the first step's time. */
  startsAt: Date;
}

export async function saveScheduledLeads(db: Db, leads: readonly ScheduledLead[]): Promise<void> {
  if (leads.length === 0) return;
  await db
    .insertInto('leads')
    .values(
      leads.map((l) => ({
        id: l.id,
        source: l.source,
        external_id: null,
        campaign_id: l.campaignId,
        first_name: l.firstName,
        last_name: l.lastName,
        email: l.email,
        phone: l.phone,
        status: SCHEDULED_STATUS,
        payload: jsonb(l.payload),
      })),
    )
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
  await db
    .insertInto('lead_events')
    .values(leads.map((l) => ({ lead_id: l.id, event_key: 'scheduled', type: 'scheduled', detail: jsonb({ startsAt: l.startsAt.toISOString() }) })))
    .onConflict((oc) => oc.columns(['lead_id', 'event_key']).doNothing())
    .execute();
}
