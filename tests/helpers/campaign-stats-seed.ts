// Rows for the campaign stats test, written in bulk (hundreds of leads per arm) in the shapes the
// product stores: outbox rows keyed `<lead>:step:<n>` with the campaign and variant the send
// activity sets, SendGrid events carrying that key as their `idempotency_key` custom argument,
// and lead_events as the lead workflow records them.
import type { Kysely } from 'kysely';
import type { Database } from '../../db/index.js';

export const T0 = Date.parse('2026-12-01T09:00:00Z');

const key = (leadId: string, step: number) => `${leadId}:step:${step}`;

export function campaignSeed(db: Kysely<Database>) {
  let n = 0;
  const outbox = (campaignId: string, step: number, leadIds: string[], variant: string | null, status: 'sent' | 'failed', sentAt: Date | null) =>
    db
      .insertInto('outbox')
      .values(
        leadIds.map((leadId) => ({
          idempotency_key: key(leadId, step),
          lead_id: leadId,
          step,
          channel: 'email',
          provider: 'sendgrid',
          recipient: `${leadId}@example.com`,
          subject: 's',
          body: 'b',
          status,
          provider_message_id: status === 'sent' ? `pm-${leadId}-${step}` : null,
          campaign_id: campaignId,
          variant,
          sent_at: sentAt,
          ...(sentAt !== null && { created_at: sentAt, updated_at: sentAt }),
        })),
      )
      .execute();

  return {
    /** A campaign row with a minimal spec: one list of variant ids per step. */
    campaign: (id: string, steps: string[][], significance: number) =>
      db
        .insertInto('campaigns')
        .values({
          id,
          name: `campaign ${id}`,
          status: 'running',
          spec: JSON.stringify({
            name: `campaign ${id}`,
            inboxes: ['rep-a'],
            channel: 'email',
            steps: steps.map((ids, i) => ({
              delay: i === 0 ? '0 days' : '2 days',
              variants: ids.map((v) => ({ id: v, weight: 1, subject: 'Hi', body: 'Hello' })),
            })),
            window: { days: [1, 2, 3, 4, 5], startHour: 9, endHour: 17, timeZone: 'UTC' },
            dailyNewLeads: null,
            senderName: 'Sam',
            skipActiveElsewhere: false,
            significance,
          }),
        })
        .execute(),

    leads: (campaignId: string, ids: string[]) =>
      db
        .insertInto('leads')
        .values(
          ids.map((id) => ({
            id,
            source: 'campaign',
            external_id: null,
            campaign_id: campaignId,
            email: `${id}@example.com`,
            status: 'waiting',
            payload: '{}',
          })),
        )
        .execute(),

    sent: (campaignId: string, step: number, leadIds: string[], variant: string | null, sentAt: Date) =>
      outbox(campaignId, step, leadIds, variant, 'sent', sentAt),
    failed: (campaignId: string, step: number, leadIds: string[]) => outbox(campaignId, step, leadIds, 'A', 'failed', null),

    /** One SendGrid event per lead about its message of `step`, as the webhook stores it. */
    sendgrid: async (step: number, leadIds: string[], event: string) => {
      await db
        .insertInto('provider_events')
        .values(
          leadIds.map((leadId) => {
            const eventId = `sg-${++n}`;
            return {
              provider: 'sendgrid',
              event_id: eventId,
              lead_id: leadId,
              type: event,
              payload: JSON.stringify({ sg_event_id: eventId, event, lead_id: leadId, step: String(step), idempotency_key: key(leadId, step) }),
            };
          }),
        )
        .execute();
    },

    /** One lead_events row per lead, as the lead workflow records it. */
    ledger: async (leadIds: string[], type: string, detail: Record<string, unknown>, occurredAt: Date, eventKey?: string) => {
      await db
        .insertInto('lead_events')
        .values(
          leadIds.map((leadId) => ({
            lead_id: leadId,
            event_key: eventKey ?? `${type}:seed-${++n}`,
            type,
            detail: JSON.stringify(detail),
            occurred_at: occurredAt,
          })),
        )
        .execute();
    },

    /** A reply per lead with its classified intent (the workflow's `reply` event names no step). */
    replies: async (leadIds: string[], occurredAt: Date, intent: string | null) => {
      if (leadIds.length === 0) return;
      await db
        .insertInto('lead_events')
        .values(
          leadIds.map((leadId) => ({
            lead_id: leadId,
            event_key: `reply:seed-${++n}`,
            type: 'reply',
            detail: JSON.stringify({ channel: 'email', receivedAt: occurredAt.toISOString(), text: 'hello', intent }),
            occurred_at: occurredAt,
          })),
        )
        .execute();
    },
  };
}
