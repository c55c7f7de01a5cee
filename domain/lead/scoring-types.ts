// Shapes and default weights for lead scoring. Pure data: this module runs inside the workflow
// sandbox, so it imports nothing but types.
import type { Enrichment } from '../enrich/types.js';

/**
 * What scoring looks at: a plain-JSON subset of an ADF prospect (an `AdfProspect` spread into it
 * fits as is), plus where the lead came from and its enrichment. Campaign and API leads fill the
 * same fields; whatever they lack is null or empty and simply earns no points.
 */
export interface ScoringInput {
  /** The lead source as configured in `weights.sources` (ADF provider, `api`, `campaign`, ...). */
  source: string | null;
  /** A broader class of source (`oem`, `third-party`, `dealer-website`, ...) used when the source itself has no weight. */
  sourceCategory?: string | null;
  /** ISO-8601; when the lead was submitted. */
  requestDate: string | null;
  customer: {
    firstName: string | null;
    lastName: string | null;
    fullName?: string | null;
    emails: string[];
    phones: Array<{ raw: string; e164?: string | null }>;
    timeframe: { description: string | null; earliestDate: string | null; latestDate: string | null } | null;
    comments: string | null;
  };
  vehicles: Array<{
    /** ADF interest: buy, lease, sell, trade-in, test-drive. */
    interest: string | null;
    price: number | null;
    /** A budget range, for sources that send one instead of a vehicle price. */
    priceRange?: { min: number | null; max: number | null } | null;
  }>;
  enrichment: Enrichment | null;
}

export type Tier = 'hot' | 'warm' | 'cold';

export interface ScoreReason {
  /** Stable rule id, e.g. `contact.email`, `timeframe.week`; safe to aggregate on. */
  rule: string;
  points: number;
  /** Human-readable why, shown to operators. */
  detail: string;
}

export interface ScoreResult {
  /** Integer 0..100: the sum of `reasons[].points`, clamped. */
  score: number;
  tier: Tier;
  reasons: ScoreReason[];
}

/** Points per rule (negative ones are penalties) and the tier thresholds. */
export interface ScoringWeights {
  contactName: number;
  contactEmail: number;
  contactPhone: number;
  /** Syntax valid, MX found, not disposable, not a role mailbox, not refused by the verifier. */
  emailVerified: number;
  emailDisposable: number;
  emailRole: number;
  /** The external verifier said undeliverable. */
  emailUndeliverable: number;
  phoneValid: number;
  /** Added to phoneValid for a number libphonenumber classifies as mobile (textable). */
  phoneMobile: number;
  /** Buying within 7 days (dates or words such as "asap", "this week"). */
  timeframeWeek: number;
  /** Buying within 30 days. */
  timeframeMonth: number;
  tradeIn: number;
  /** A price on a vehicle of interest, or a budget range. */
  price: number;
  /** Per-source points keyed by lower-cased source or source category; the source wins over the category. */
  sources: Record<string, number>;
  /** For sources with no entry. */
  sourceDefault: number;
  /** Submitted less than a day ago. */
  recencyDay: number;
  /** Submitted less than 7 days ago. */
  recencyWeek: number;
  /** Submitted more than 30 days ago (a penalty, usually negative). */
  recencyStale: number;
  comments: number;
  /** score >= hotThreshold is hot; else score >= warmThreshold is warm; else cold. */
  hotThreshold: number;
  warmThreshold: number;
}

/**
 * Defaults tuned so a complete, reachable, in-market lead lands hot (the maximum sums past 100
 * and is clamped) and a bare name-plus-address lead stays cold.
 */
export const DEFAULT_SCORING_WEIGHTS: Readonly<ScoringWeights> = Object.freeze({
  contactName: 5,
  contactEmail: 5,
  contactPhone: 5,
  emailVerified: 15,
  emailDisposable: -15,
  emailRole: -5,
  emailUndeliverable: -15,
  phoneValid: 10,
  phoneMobile: 5,
  timeframeWeek: 20,
  timeframeMonth: 10,
  tradeIn: 10,
  price: 5,
  sources: Object.freeze({ oem: 10, 'dealer-website': 10, 'third-party': 5, campaign: 0 }),
  sourceDefault: 0,
  recencyDay: 10,
  recencyWeek: 5,
  recencyStale: -10,
  comments: 5,
  hotThreshold: 70,
  warmThreshold: 40,
});
