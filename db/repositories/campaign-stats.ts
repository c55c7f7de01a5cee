// The funnel of one campaign per step and A/B variant, counted from what was actually sent: the
// campaign's outbox rows with status `sent` (one per message; a resend of a step keeps the step,
// and the variant is a function of lead and step, so both rows land on the same arm). Every figure
// is a number of distinct leads, so a lead counts once per metric per step and variant however
// many events it produced; the totals (step null) count each lead once per metric campaign-wide.
//
// An event counts for the message it answers, found one of two ways:
// - provider_events, matched to the exact outbox row: SendGrid events by the `idempotency_key`
//   custom argument every message carries (the row's key), Twilio status callbacks by MessageSid
//   (the row's provider_message_id). They are stored whatever state the lead's workflow is in, so
//   an open after the lead replied still counts. delivered (SendGrid delivered, Twilio
//   sms.delivered), opened (open), clicked (click), unsubscribed (unsubscribe,
//   group_unsubscribe), complained (spamreport).
// - lead_events the lead workflow records (whatever carried them: webhooks, the IMAP watcher, the
//   one-click link, SMS STOP): the row of the step the event names, else the lead's latest
//   campaign message sent at or before it (a reply answers what the lead last received).
//   replied (reply, except an out-of-office intent), interested (a reply with intent
//   `interested`), bounced (bounce of kind hard or block: the message did not and will not
//   arrive; a soft bounce is sent again on the same step), unsubscribed (unsubscribe, and a reply
//   whose intent is `unsubscribe`), complained (complaint). Unsubscribes and complaints that came
//   from SendGrid are skipped here: provider_events already has them on their exact message.
import { sql } from 'kysely';
import type { Db } from './leads.js';

export const FUNNEL_METRICS = ['sent', 'delivered', 'opened', 'clicked', 'replied', 'interested', 'bounced', 'unsubscribed', 'complained'] as const;
export type FunnelMetric = (typeof FUNNEL_METRICS)[number];
export type FunnelCounts = Record<FunnelMetric, number>;

export interface VariantFunnel extends FunnelCounts {
  step: number;
  /** The outbox row's variant; '' for campaign messages sent without one. */
  variant: string;
}

export interface CampaignFunnel {
  cells: VariantFunnel[];
  totals: FunnelCounts;
}

export const emptyFunnel = (): FunnelCounts => ({
  sent: 0,
  delivered: 0,
  opened: 0,
  clicked: 0,
  replied: 0,
  interested: 0,
  bounced: 0,
  unsubscribed: 0,
  complained: 0,
});

interface Raw {
  step: number | null;
  variant: string | null;
  metric: FunnelMetric;
  n: string | number;
}

/** The campaign's id, name, spec and status; undefined when there is no such campaign. */
export function getCampaignForStats(db: Db, id: string) {
  return db.selectFrom('campaigns').select(['id', 'name', 'spec', 'status']).where('id', '=', id).executeTakeFirst();
}

/** Distinct leads per metric, per step and variant and in total (set-based: a few hash joins and one index probe per event). */
export async function campaignFunnel(db: Db, campaignId: string): Promise<CampaignFunnel> {
  // The step an event names, when it names one as a number (detail is free-form jsonb).
  const namedStep = sql`case when jsonb_typeof(e.detail->'step') = 'number' then (e.detail->>'step')::numeric end`;
  const { rows } = await sql<Raw>`
    with sent as (
      select idempotency_key, provider_message_id, lead_id, step, coalesce(variant, '') as variant,
        coalesce(sent_at, updated_at) as sent_at
      from outbox
      where campaign_id = ${campaignId} and status = 'sent'
    ), by_provider as (
      select s.step, s.variant, s.lead_id,
        case p.type when 'delivered' then 'delivered' when 'open' then 'opened' when 'click' then 'clicked'
          when 'spamreport' then 'complained' else 'unsubscribed' end as metric
      from provider_events p
      join sent s on s.idempotency_key = p.payload->>'idempotency_key'
      where p.provider = 'sendgrid' and p.type in ('delivered', 'open', 'click', 'unsubscribe', 'group_unsubscribe', 'spamreport')
      union all
      select s.step, s.variant, s.lead_id, 'delivered'
      from provider_events p
      join sent s on s.provider_message_id = p.payload->>'MessageSid'
      where p.provider = 'twilio' and p.type = 'sms.delivered'
    ), by_ledger as (
      select o.step, o.variant, e.lead_id, m.metric
      from lead_events e
      join lateral (
        select x.step, coalesce(x.variant, '') as variant from outbox x
        where x.lead_id = e.lead_id and x.campaign_id = ${campaignId} and x.status = 'sent'
          and case when ${namedStep} is not null then x.step = ${namedStep} else coalesce(x.sent_at, x.updated_at) <= e.occurred_at end
        order by coalesce(x.sent_at, x.updated_at) desc
        limit 1
      ) o on true
      cross join lateral unnest(case e.type
        when 'reply' then array[
          case when coalesce(e.detail->>'intent', '') <> 'out_of_office' then 'replied' end,
          case e.detail->>'intent' when 'interested' then 'interested' when 'unsubscribe' then 'unsubscribed' end]
        when 'bounce' then array[case when e.detail->>'kind' in ('hard', 'block') then 'bounced' end]
        when 'unsubscribe' then array['unsubscribed']
        else array['complained'] end) as m(metric)
      where e.lead_id in (select lead_id from sent)
        and e.type in ('reply', 'bounce', 'unsubscribe', 'complaint')
        and not (e.type in ('unsubscribe', 'complaint') and e.event_key like '%:sendgrid:%')
        and m.metric is not null
    ), facts as (
      select step, variant, lead_id, 'sent' as metric from sent
      union all select * from by_provider
      union all select * from by_ledger
    )
    select step, variant, metric, count(distinct lead_id) as n
    from facts
    group by grouping sets ((metric, step, variant), (metric))
  `.execute(db);

  const totals = emptyFunnel();
  const cells = new Map<string, VariantFunnel>();
  for (const r of rows) {
    // int8 counts come back as strings.
    const n = Number(r.n);
    if (r.step === null) {
      totals[r.metric] = n;
      continue;
    }
    const variant = r.variant ?? '';
    const key = `${r.step}\u0000${variant}`;
    const cell = cells.get(key) ?? { step: r.step, variant, ...emptyFunnel() };
    cell[r.metric] = n;
    cells.set(key, cell);
  }
  return { cells: [...cells.values()].sort((a, b) => a.step - b.step || a.variant.localeCompare(b.variant)), totals };
}
