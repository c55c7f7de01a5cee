// The operators' morning check: GET /stats (activity per inbox and in total, and the emergency
// stop) and GET /inboxes/:id/health (an inbox's score, its inputs, and today's limit).
import { Type, type Static } from 'typebox';
import { ControlStateSchema } from './control.js';
import { Nullable, StringEnum } from './common.js';

export const StatsQuery = Type.Object(
  {
    since: Type.Optional(
      Type.String({ format: 'date-time', description: 'Count from this ISO-8601 time with a zone (default: the start of the current UTC day)' }),
    ),
  },
  { additionalProperties: false },
);

/** A fraction of the period's sends; null when nothing was sent. Events of yesterday's messages count today, so it may exceed 1. */
const rate = (description: string) => Nullable(Type.Number({ description: `${description}; null when nothing was sent` }));

const counts = {
  sends: Type.Integer({ description: 'messages sent (outbox rows with status sent)' }),
  deliveries: Type.Integer({ description: 'delivery reports (SendGrid and Twilio report them; SMTP does not)' }),
  bounces: Type.Object({ hard: Type.Integer(), soft: Type.Integer(), block: Type.Integer(), total: Type.Integer() }),
  complaints: Type.Integer(),
  replies: Type.Integer(),
  bounceRate: rate('(hard + block bounces) / sends, as the inbox health counts them (a soft bounce is retried)'),
  complaintRate: rate('complaints / sends'),
};

export const InboxStatsSchema = Type.Object({
  inboxId: Type.String(),
  /** email | sms; null for an id that is no longer in the registry. */
  channel: Nullable(Type.String()),
  implicit: Type.Boolean(),
  ...counts,
  /** The health score as last saved (GET /inboxes/:id/health has the details); null for an id no longer in the registry. */
  health: Nullable(Type.Integer()),
  paused: Type.Boolean(),
});

export const StatsReportSchema = Type.Object({
  since: Type.String({ format: 'date-time' }),
  until: Type.String({ format: 'date-time' }),
  total: Type.Object(counts),
  inboxes: Type.Array(InboxStatsSchema),
  control: ControlStateSchema,
});
export type StatsReport = Static<typeof StatsReportSchema>;
export type InboxStats = Static<typeof InboxStatsSchema>;

const Pause = Type.Object({
  kind: Type.String({ description: 'operator | health | bounce_rate | block' }),
  reason: Type.String(),
  by: Type.String(),
  at: Type.String({ format: 'date-time' }),
  until: Nullable(Type.String({ format: 'date-time', description: 'null: until an operator resumes' })),
});

export const InboxHealthSchema = Type.Object({
  inboxId: Type.String(),
  source: StringEnum(['live', 'stored', 'policy'] as const),
  /** Why the figures are not live (null when they are). */
  sourceDetail: Nullable(Type.String()),
  /** When the stored figures were saved by the inbox workflow (source stored). */
  savedAt: Nullable(Type.String({ format: 'date-time' })),
  score: Type.Integer({ minimum: 0, maximum: 100 }),
  inputs: Type.Object({
    sent: Type.Integer(),
    bounces: Type.Integer(),
    complaints: Type.Integer(),
    replies: Type.Integer(),
    bounceRate: Type.Number(),
    complaintRate: Type.Number(),
    replyRate: Type.Number(),
    ageDays: Type.Integer(),
  }),
  parts: Type.Object({ bounce: Type.Number(), complaint: Type.Number(), reply: Type.Number(), age: Type.Number() }),
  rampDay: Type.Integer(),
  today: Type.String({ description: "the inbox's day (YYYY-MM-DD in its window's zone)" }),
  dailyLimit: Type.Integer(),
  grantedToday: Type.Integer(),
  sentToday: Type.Integer(),
  remainingToday: Type.Integer(),
  paused: Type.Boolean(),
  pausedUntil: Nullable(Type.String({ format: 'date-time' })),
  pause: Nullable(Pause),
  warnings: Type.Array(Type.String()),
});
export type InboxHealthView = Static<typeof InboxHealthSchema>;
