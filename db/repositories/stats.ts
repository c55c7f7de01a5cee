// Per-inbox activity for the operators' morning check (GET /stats, `leadflow stats`, the per-inbox
// gauges). Two grouped queries, each counting every row once:
//
// - sends: outbox rows with status `sent` whose sent_at is at/after `since`, by the row's inbox.
//   `updated_at >= since` is implied (the row's updated_at is stamped with sent_at and only moves
//   forward) but lets the (status, updated_at) index bound the scan.
// - deliveries, bounces, complaints, replies: lead_events, the one ledger every outcome reaches
//   whatever carried it (SendGrid and Twilio webhooks, and the IMAP watcher's bounces, complaint
//   reports and replies to SMTP inboxes, which provider_events never sees), recorded once per
//   (lead, type:eventId) by the lead workflow. It is also what the inbox workflow's health counts
//   (the lead reports the same events to its inbox), so these figures agree with the health score.
//   An event belongs to the inbox of the lead's outbox row it answers: the row of its step when the
//   event names one, else the same channel, else the latest message sent before it. Follow-ups
//   stay on their inbox, so a lead's rows almost always share one inbox anyway.
//
// Rows without inbox_id (sent by the environment's single sender before the registry, or by the
// implicit inboxes) count under the implicit inbox of their channel; so do events of a lead with no
// outbox row at all. db/ knows no inbox names: the caller passes the implicit ids.
import { sql, type RawBuilder } from 'kysely';
import type { Db } from './leads.js';

export interface ActivityCounts {
  sends: number;
  deliveries: number;
  hardBounces: number;
  softBounces: number;
  blockBounces: number;
  complaints: number;
  replies: number;
}

export interface ImplicitInboxIds {
  email: string;
  sms: string;
}

interface Raw {
  inbox_id: string;
  sends: string | number;
  deliveries: string | number;
  hard: string | number;
  soft: string | number;
  block: string | number;
  complaints: string | number;
  replies: string | number;
}

/** Activity per inbox since `since` (only inboxes with any; the caller lists the idle ones). */
export async function inboxActivity(db: Db, since: Date, implicit: ImplicitInboxIds): Promise<Map<string, ActivityCounts>> {
  const byChannel = (channel: RawBuilder<unknown>) => sql`case when ${channel} = 'sms' then ${implicit.sms} else ${implicit.email} end`;
  // The event's step, when it names one as a number (detail is free-form jsonb).
  const step = sql`case when jsonb_typeof(e.detail->'step') = 'number' then (e.detail->>'step')::numeric end`;
  const { rows } = await sql<Raw>`
    with sends as (
      select coalesce(inbox_id, ${byChannel(sql`channel`)}) as inbox_id, count(*) as sends
      from outbox
      where status = 'sent' and updated_at >= ${since} and sent_at >= ${since}
      group by 1
    ), events as (
      select coalesce(o.inbox_id, ${byChannel(sql`coalesce(o.channel, e.detail->>'channel')`)}) as inbox_id,
        count(*) filter (where e.type = 'delivered') as deliveries,
        count(*) filter (where e.type = 'bounce' and e.detail->>'kind' = 'hard') as hard,
        count(*) filter (where e.type = 'bounce' and e.detail->>'kind' = 'block') as block,
        -- Any other kind is retried like a soft bounce by the lead workflow, so it counts as one.
        count(*) filter (where e.type = 'bounce' and coalesce(e.detail->>'kind', '') not in ('hard', 'block')) as soft,
        count(*) filter (where e.type = 'complaint') as complaints,
        count(*) filter (where e.type = 'reply') as replies
      from lead_events e
      left join lateral (
        select x.inbox_id, x.channel from outbox x
        where x.lead_id = e.lead_id
        order by (x.step = ${step}) desc nulls last, (x.channel = e.detail->>'channel') desc nulls last,
          (x.status = 'sent') desc, (x.created_at <= e.occurred_at) desc, x.created_at desc
        limit 1
      ) o on true
      where e.type in ('delivered', 'bounce', 'complaint', 'reply') and e.occurred_at >= ${since}
      group by 1
    )
    select coalesce(s.inbox_id, v.inbox_id) as inbox_id, coalesce(s.sends, 0) as sends,
      coalesce(v.deliveries, 0) as deliveries, coalesce(v.hard, 0) as hard, coalesce(v.soft, 0) as soft,
      coalesce(v.block, 0) as block, coalesce(v.complaints, 0) as complaints, coalesce(v.replies, 0) as replies
    from sends s full join events v on v.inbox_id = s.inbox_id
  `.execute(db);
  // int8 counts come back as strings.
  return new Map(
    rows.map((r) => [
      r.inbox_id,
      {
        sends: Number(r.sends),
        deliveries: Number(r.deliveries),
        hardBounces: Number(r.hard),
        softBounces: Number(r.soft),
        blockBounces: Number(r.block),
        complaints: Number(r.complaints),
        replies: Number(r.replies),
      },
    ]),
  );
}

/** Every registry inbox with what its health and limits derive from (no settings, no secrets). */
export function listInboxPolicies(db: Db) {
  return db.selectFrom('inboxes').select(['id', 'kind', 'channel', 'status', 'policy', 'created_at']).orderBy('id').execute();
}
