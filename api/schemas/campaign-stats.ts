// GET /campaigns/:id/stats: the funnel of a campaign per step and A/B variant, and the verdict of
// each step's test on reply rate. Every count is of distinct leads (db/repositories/campaign-stats.ts
// says which events count and how each is attributed to the message it answers).
import { Type, type Static } from 'typebox';
import { Nullable } from './common.js';

export const CampaignIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) });

const count = (description: string) => Type.Integer({ minimum: 0, description });
const counts = {
  sent: count('leads sent this step (outbox rows with status sent; a resend of the step is the same lead)'),
  delivered: count('leads with a delivery report (SendGrid, Twilio; SMTP reports none)'),
  opened: count('leads with an open event (SendGrid open tracking)'),
  clicked: count('leads with a click event'),
  replied: count('leads who replied (out-of-office replies excluded)'),
  interested: count('leads whose reply was classified interested'),
  bounced: count('leads whose message bounced hard or was blocked (a soft bounce is retried)'),
  unsubscribed: count('leads who unsubscribed (link, provider, STOP, or a reply asking to be removed)'),
  complained: count('leads who reported the message as spam'),
};

const overSent = (what: string) => Nullable(Type.Number({ description: `${what} / sent; null when nothing was sent` }));
const overDelivered = (what: string) => Nullable(Type.Number({ description: `${what} / delivered; null without delivery reports` }));

/**
 * Rates over sent, the denominator every transport has; open and click rates also over delivered,
 * their usual denominator (only meaningful where the provider reports deliveries). A late event
 * without its delivery report can make a rate over delivered exceed 1.
 */
export const FunnelRatesSchema = Type.Object({
  delivery: overSent('delivered'),
  open: overSent('opened'),
  click: overSent('clicked'),
  reply: overSent('replied'),
  interested: overSent('interested'),
  bounce: overSent('bounced'),
  unsubscribe: overSent('unsubscribed'),
  complaint: overSent('complained'),
  openOfDelivered: overDelivered('opened'),
  clickOfDelivered: overDelivered('clicked'),
});

/** Distinct leads over the whole campaign: a lead counts once per metric, whichever steps it reached. */
export const FunnelSchema = Type.Object({ ...counts, rates: FunnelRatesSchema });

export const VariantStatsSchema = Type.Object({
  id: Type.String({ description: "the variant's id in the spec ('' for messages sent without one)" }),
  ...counts,
  rates: FunnelRatesSchema,
});

export const ComparisonSchema = Type.Object({
  a: Type.String({ description: 'the leading variant' }),
  b: Type.String(),
  pA: Type.Number(),
  pB: Type.Number(),
  diff: Type.Number({ description: 'pA − pB' }),
  ci: Type.Array(Type.Number(), { minItems: 2, maxItems: 2, description: 'the (1 − alpha) confidence interval of pA − pB (unpooled SE)' }),
  z: Type.Number({ description: 'pooled two-proportion z' }),
  pValue: Type.Number({ description: 'two-sided' }),
  adjustedPValue: Type.Number({ description: 'Holm–Bonferroni over the comparisons of this step' }),
});

export const StepTestSchema = Type.Object({
  metric: Type.Literal('reply_rate'),
  alpha: Type.Number(),
  comparisons: Type.Array(ComparisonSchema),
  winner: Nullable(Type.String({ description: 'the variant that beats every other significantly; null otherwise' })),
  reason: Type.String(),
});

export const StepStatsSchema = Type.Object({
  step: Type.Integer({ minimum: 1 }),
  variants: Type.Array(VariantStatsSchema),
  test: StepTestSchema,
});

export const CampaignStatsSchema = Type.Object({
  campaignId: Type.String(),
  name: Type.String(),
  status: Type.String(),
  steps: Type.Array(StepStatsSchema),
  totals: FunnelSchema,
});

export type CampaignStats = Static<typeof CampaignStatsSchema>;
export type StepStats = Static<typeof StepStatsSchema>;
export type VariantStats = Static<typeof VariantStatsSchema>;
export type FunnelRates = Static<typeof FunnelRatesSchema>;
