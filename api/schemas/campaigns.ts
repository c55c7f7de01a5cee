// Campaign resource schemas. The definition itself is checked by domain/campaigns/validate.ts,
// which names every problem at once (the schema here only says "a JSON object"), so a 400 lists
// each bad step, variant, template variable and window field by path.
import { Type } from 'typebox';
import { JsonObject, Nullable, page, StringEnum, WithDefaults } from './common.js';

export const CAMPAIGN_STATUSES = ['draft', 'running', 'paused', 'cancelling', 'cancelled', 'finished'] as const;

export const CampaignParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false });
export const CampaignBody = JsonObject;

export const Campaign = Type.Object({
  id: Type.String(),
  name: Type.String(),
  status: StringEnum(CAMPAIGN_STATUSES),
  statusBy: Nullable(Type.String()),
  statusReason: Nullable(Type.String()),
  statusAt: Nullable(Type.String({ format: 'date-time' })),
  version: Type.Integer(),
  spec: JsonObject,
  /** The campaign workflow's latest count (imported, started, skipped, pending, sending, replied, bounced, unsubscribed, handedOver, finished). */
  totals: Type.Union([JsonObject, Type.Null()]),
  workflowId: Type.String(),
  createdBy: Nullable(Type.String()),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  startedAt: Nullable(Type.String({ format: 'date-time' })),
  finishedAt: Nullable(Type.String({ format: 'date-time' })),
  /** The campaign workflow's live state, when it answered within a second. */
  live: Type.Optional(Type.Union([JsonObject, Type.Null()])),
  liveError: Type.Optional(Type.String()),
});

export const CampaignList = Type.Object({ items: Type.Array(Campaign), limit: Type.Integer(), offset: Type.Integer() });
export const ListCampaignsQuery = WithDefaults(
  Type.Object({ status: Type.Optional(StringEnum(CAMPAIGN_STATUSES)), ...page(50) }, { additionalProperties: false }),
);

export const ActionBody = Type.Union([
  Type.Object({ reason: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })) }, { additionalProperties: false }),
  Type.Null(),
]);
export const CAMPAIGN_ACTIONS = ['start', 'pause', 'resume', 'cancel'] as const;
export const ActionResult = Type.Object({
  campaign: Campaign,
  /** False when the campaign already was where the action leads (a repeated pause). */
  changed: Type.Boolean(),
  /**
   * pause/cancel: once this answer is sent, no provider call for the campaign starts (a send that
   * had passed the gate before is in the outbox as in flight).
   */
  acknowledged: Type.Boolean(),
});
