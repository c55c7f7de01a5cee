// Lead-scoring fixtures shared by the scoring tests: a fixed clock, an empty lead, enrichments.
import type { EmailEnrichment, Enrichment, PhoneEnrichment } from '../../domain/enrich/types.js';
import type { scoreLead } from '../../workflows/policy/scoring.js';
import { type ScoringInput } from '../../workflows/policy/scoring.js';

export const NOW = new Date('2026-11-23T12:00:00.000Z');
export const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3_600_000).toISOString();
export const daysAhead = (d: number) => new Date(NOW.getTime() + d * 86_400_000).toISOString();

/** A lead with nothing in it: scores 0 with no reasons. */
export function emptyLead(): ScoringInput {
  return {
    source: null,
    requestDate: null,
    customer: { firstName: null, lastName: null, emails: [], phones: [], timeframe: null, comments: null },
    vehicles: [],
    enrichment: null,
  };
}

export const goodEmail: EmailEnrichment = {
  address: 'jane@example.com',
  syntaxValid: true,
  domain: 'example.com',
  mx: 'found',
  disposable: false,
  role: false,
  verifier: null,
};
export const ukMobile: PhoneEnrichment = { raw: '+447400123456', e164: '+447400123456', valid: true, type: 'mobile', country: 'GB' };
export const usPhone: PhoneEnrichment = { raw: '(201) 555-0123', e164: '+12015550123', valid: true, type: 'fixed_line_or_mobile', country: 'US' };
export const enrichment = (e: Partial<Enrichment>): Enrichment => ({ email: null, phone: null, vehicles: [], ...e });
export const timeframe = (description: string | null, earliestDate: string | null = null, latestDate: string | null = null) => ({
  description,
  earliestDate,
  latestDate,
});
export const rules = (r: ReturnType<typeof scoreLead>) => r.reasons.map((x) => `${x.rule}:${x.points}`);

export const contactOf = (emails: string[], phones: string[]) => ({
  firstName: 'Jane',
  lastName: 'Doe',
  emails,
  phones: phones.map((raw) => ({ raw, e164: null })),
  comments: null,
});
