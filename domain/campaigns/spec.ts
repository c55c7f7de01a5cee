// A campaign as an outbound team defines it: inboxes, steps with A/B variants, a sending window,
// a daily cap of new leads, handover and scoring settings. Plain JSON: stored whole in
// campaigns.spec, validated whole before it is stored (validate.ts), and turned into each lead's
// workflow input at fan-out. Types only: this module runs anywhere, workflows included.
import type { ScoringWeights } from '../lead/scoring-types.js';

/** One A/B arm of a step: a Liquid template for subject and body, and its share of leads. */
export interface CampaignVariant {
  /** Short and stable ("A", "B", "short-subject"): stats are keyed by it. */
  id: string;
  /** Relative weight (> 0); assignment is a deterministic hash of the lead and the step. */
  weight: number;
  /** E-mail only; null or absent on SMS. Liquid. */
  subject?: string | null;
  /** Liquid. */
  body: string;
}

export interface CampaignStep {
  /** Wait after the previous message (step 1: after the lead starts), a Temporal duration ("2 days"). */
  delay: string;
  /** Defaults to the campaign's channel. */
  channel?: 'email' | 'sms';
  /**
   * An instruction for the AI drafter ("ask whether they have 10 minutes on Thursday"); the
   * variant's rendered template is its fallback and its frame. Absent: the template goes verbatim.
   */
  prompt?: string | null;
  /** At least one; one variant means no A/B test on this step. */
  variants: CampaignVariant[];
}

/** Days and hours messages may go out: the same shape an inbox's window has. */
export interface CampaignWindow {
  /** 0 = Sunday … 6 = Saturday. */
  days: number[];
  /** [startHour, endHour) in `timeZone`, or in the recipient's when known and `recipientTimeZone`. */
  startHour: number;
  endHour: number;
  timeZone: string;
  holidays?: string[];
  recipientTimeZone?: boolean;
}

export interface CampaignSpec {
  name: string;
  /** Registry inbox IDs the campaign sends from (at least one). */
  inboxes: string[];
  channel: 'email' | 'sms';
  steps: CampaignStep[];
  window: CampaignWindow;
  /** New leads started per day (in the window's zone); null: no cap. */
  dailyNewLeads: number | null;
  /** Signature of the messages ({{ senderName }}). */
  senderName: string;
  handover?: { sla?: string; secondSla?: string; scoreThreshold?: number };
  scoringWeights?: Partial<ScoringWeights>;
  /** Do not start a prospect who is active (not finished) in another campaign. */
  skipActiveElsewhere: boolean;
  /** Significance level of the A/B verdict (two-sided), e.g. 0.05. */
  significance: number;
  /** How long each lead waits for a reply after its last step before it ends (default "7 days"). */
  waitFor?: string;
}

/** The variables a template may use; `fields` holds the import's other columns. */
export interface TemplateData {
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  phone: string | null;
  company: string | null;
  senderName: string;
  fields: Record<string, string>;
}

/** What a template is validated against: a prospect with every standard variable filled. */
export const SAMPLE_PROSPECT: TemplateData = {
  firstName: 'Alex',
  lastName: 'Sample',
  email: 'alex.sample@example.com',
  phone: '+12025550143',
  company: 'Sample Motors',
  senderName: 'Sample Team',
  fields: {},
};
