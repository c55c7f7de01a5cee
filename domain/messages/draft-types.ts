// The drafting contract shared by the AI path, the templates and the validator, so the workflow
// gets one shape whichever path produced the text.

export interface DraftVehicle {
  year?: number | string | null;
  make?: string | null;
  model?: string | null;
}

export interface DraftContext {
  channel: 'email' | 'sms';
  /** 1 for the first touch, 2+ for follow-ups. */
  step: number;
  lead: { firstName: string | null; lastName: string | null; vehicles: DraftVehicle[]; comments: string | null };
  dealerName: string;
  conversation: Array<{ from: 'lead' | 'us'; text: string }>;
  /** The campaign's template for this step: the fallback text instead of the built-in one. */
  template?: { subject?: string | null; body: string } | null;
  /** false: the campaign wants its template verbatim, so the AI is not asked. */
  aiAllowed?: boolean;
  /**
   * A campaign lead: the drafter reads the campaign's current step (so a PATCH reaches steps not
   * yet sent), picks the lead's A/B variant and renders it with the prospect's fields.
   */
  campaign?: { campaignId: string; leadId: string } | null;
}

/**
 * Why the template was used instead of the model: no key configured, the API failed after its
 * retries (or timed out), or the model's text broke a rule (length, banned phrase, missing vehicle).
 */
export type FallbackReason = 'no_api_key' | 'ai_timeout' | 'ai_error' | 'validation' | 'campaign_template';

export interface Draft {
  /** Null for SMS. */
  subject: string | null;
  body: string;
  path: 'ai' | 'template';
  reason?: FallbackReason;
  /** The specifics behind `reason`, for the operator (e.g. "body does not mention the Civic"). */
  detail?: string;
  /** The campaign step's A/B variant this draft was rendered from. */
  variant?: string;
}

/** "2024 Honda Civic" from whatever parts the lead gave; null when there is nothing to name. */
export function vehicleLabel(v: DraftVehicle | undefined): string | null {
  if (v === undefined) return null;
  const parts = [v.year, v.make, v.model].map((p) => (p === null || p === undefined ? '' : String(p).trim())).filter((p) => p !== '');
  return parts.length === 0 ? null : parts.join(' ');
}
