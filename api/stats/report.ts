// The morning check's figures, shared by GET /stats, `leadflow stats` and the per-inbox gauges.
// Where each figure comes from is documented in db/repositories/stats.ts: sends from the outbox,
// deliveries, bounces, complaints and replies from lead_events, each attributed to the inbox of
// the message it answers; rows of the environment's single sender count under its implicit inbox.
import type { Kysely } from 'kysely';
import {
  controlView,
  getSendingControl,
  inboxActivity,
  listInboxPolicies,
  listInboxStates,
  type ActivityCounts,
  type Database,
  type InboxStateRow,
} from '../../db/index.js';
import { IMPLICIT_EMAIL_INBOX, IMPLICIT_SMS_INBOX } from '../../domain/inboxes/types.js';
import { TRANSACTIONAL_POLICY, type InboxPolicy, type InboxStatus } from '../../workflows/inbox/contract.js';
import type { InboxStats, StatsReport } from '../schemas/stats.js';
import { statusFromPolicy, statusFromState, type InboxBasis } from './inbox-health.js';

export const IMPLICIT_IDS = { email: IMPLICIT_EMAIL_INBOX, sms: IMPLICIT_SMS_INBOX };

/** 00:00 UTC of `now`'s day: "today" for the report and the gauges (one day for every inbox, whatever its zone). */
export const startOfUtcDay = (now: number): Date => new Date(Math.floor(now / 86_400_000) * 86_400_000);

interface RosterEntry extends InboxBasis {
  channel: string | null;
  implicit: boolean;
  state: InboxStateRow | undefined;
}

/** Every inbox an operator has: the implicit two first, then the registry by id, with its saved state. */
export async function inboxRoster(db: Kysely<Database>): Promise<RosterEntry[]> {
  const rows = await listInboxPolicies(db);
  const entries = [
    { inboxId: IMPLICIT_EMAIL_INBOX, channel: 'email', implicit: true, policy: TRANSACTIONAL_POLICY, createdAt: 0 },
    { inboxId: IMPLICIT_SMS_INBOX, channel: 'sms', implicit: true, policy: TRANSACTIONAL_POLICY, createdAt: 0 },
    ...rows.map((r) => ({ inboxId: r.id, channel: r.channel, implicit: false, policy: r.policy as unknown as InboxPolicy, createdAt: r.created_at.getTime() })),
  ];
  const states = new Map(
    (
      await listInboxStates(
        db,
        entries.map((e) => e.inboxId),
      )
    ).map((s) => [s.inbox_id, s]),
  );
  return entries.map((e) => ({ ...e, state: states.get(e.inboxId) }));
}

/** The inbox's figures now, from its saved state, or its policy when it has never sent. */
export const storedStatus = (e: RosterEntry, now: number): InboxStatus => (e.state === undefined ? statusFromPolicy(e, now) : statusFromState(e.state, e, now));

const NONE: ActivityCounts = { sends: 0, deliveries: 0, hardBounces: 0, softBounces: 0, blockBounces: 0, complaints: 0, replies: 0 };

function figures(c: ActivityCounts) {
  const rate = (n: number) => (c.sends > 0 ? n / c.sends : null);
  return {
    sends: c.sends,
    deliveries: c.deliveries,
    bounces: { hard: c.hardBounces, soft: c.softBounces, block: c.blockBounces, total: c.hardBounces + c.softBounces + c.blockBounces },
    complaints: c.complaints,
    replies: c.replies,
    // As the inbox health counts bounces: a soft one (mailbox full, greylisting) is retried, not held against the inbox.
    bounceRate: rate(c.hardBounces + c.blockBounces),
    complaintRate: rate(c.complaints),
  };
}

function sum(all: Iterable<ActivityCounts>): ActivityCounts {
  const t = { ...NONE };
  for (const c of all) for (const k of Object.keys(t) as Array<keyof ActivityCounts>) t[k] += c[k];
  return t;
}

export async function buildStats(db: Kysely<Database>, since: Date, now = Date.now()): Promise<StatsReport> {
  const [roster, activity, control] = await Promise.all([inboxRoster(db), inboxActivity(db, since, IMPLICIT_IDS), getSendingControl(db)]);
  const inboxes: InboxStats[] = roster.map((e) => {
    const s = storedStatus(e, now);
    return {
      inboxId: e.inboxId,
      channel: e.channel,
      implicit: e.implicit,
      ...figures(activity.get(e.inboxId) ?? NONE),
      health: s.health.score,
      paused: s.pause !== null,
    };
  });
  // Activity of an inbox no longer in the registry still counts, and shows under its id.
  const known = new Set(roster.map((e) => e.inboxId));
  for (const [id, c] of activity) if (!known.has(id)) inboxes.push({ inboxId: id, channel: null, implicit: false, ...figures(c), health: null, paused: false });
  return {
    since: since.toISOString(),
    until: new Date(now).toISOString(),
    total: figures(sum(activity.values())),
    inboxes,
    control: controlView(control, now),
  };
}
