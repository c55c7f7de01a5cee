// Lead scoring: a deterministic, explained sum of rule points. It runs inside the lead workflow,
// so it is pure: no clock (`now` is workflow time, passed in), no randomness, no I/O, and it
// imports only other workflows/policy modules (and types). Every rule that moves the score adds a
// reason; the reasons' points add up to the score before it is clamped to 0..100, so an operator
// can always see why a lead is hot, and a score of 100 may hide a raw sum above it.
import { classifyTimeframe } from './timeframe.js';
import {
  DEFAULT_SCORING_WEIGHTS,
  type ScoreReason,
  type ScoreResult,
  type ScoringInput,
  type ScoringWeights,
  type Tier,
} from '../../domain/lead/scoring-types.js';

export * from '../../domain/lead/scoring-types.js';

const DAY_MS = 86_400_000;

type Rule = (lead: ScoringInput, w: ScoringWeights, now: Date) => ScoreReason[];

const hasText = (s: string | null | undefined): boolean => s !== null && s !== undefined && s.trim() !== '';

const contact: Rule = (lead, w) => {
  const c = lead.customer;
  const out: ScoreReason[] = [];
  if (hasText(c.firstName) || hasText(c.lastName) || hasText(c.fullName))
    out.push({ rule: 'contact.name', points: w.contactName, detail: 'customer name given' });
  if (c.emails.some(hasText)) out.push({ rule: 'contact.email', points: w.contactEmail, detail: 'e-mail address given' });
  if (c.phones.some((p) => hasText(p.raw))) out.push({ rule: 'contact.phone', points: w.contactPhone, detail: 'phone number given' });
  return out;
};

const email: Rule = (lead, w) => {
  const e = lead.enrichment?.email;
  if (e === null || e === undefined) return [];
  const out: ScoreReason[] = [];
  const refused = e.verifier?.status === 'undeliverable';
  if (e.syntaxValid && e.mx === 'found' && !e.disposable && !e.role && !refused) {
    const verdict = e.verifier === null ? '' : `, verifier: ${e.verifier.status}`;
    out.push({ rule: 'email.verified', points: w.emailVerified, detail: `e-mail is well-formed and its domain takes mail${verdict}` });
  }
  if (e.disposable) out.push({ rule: 'email.disposable', points: w.emailDisposable, detail: `${e.domain ?? 'domain'} is a disposable-address provider` });
  if (e.role) out.push({ rule: 'email.role', points: w.emailRole, detail: 'e-mail is a role mailbox, not a person' });
  if (refused) out.push({ rule: 'email.undeliverable', points: w.emailUndeliverable, detail: 'e-mail verifier says undeliverable' });
  return out;
};

const phone: Rule = (lead, w) => {
  const p = lead.enrichment?.phone;
  if (p === null || p === undefined || !p.valid) return [];
  const out: ScoreReason[] = [{ rule: 'phone.valid', points: w.phoneValid, detail: `phone number is valid (${p.country ?? 'unknown country'})` }];
  if (p.type === 'mobile') out.push({ rule: 'phone.mobile', points: w.phoneMobile, detail: 'phone number is a mobile (can text)' });
  return out;
};

const timeframe: Rule = (lead, w, now) => {
  const verdict = classifyTimeframe(lead.customer.timeframe, now);
  if (verdict.urgency === 'week') return [{ rule: 'timeframe.week', points: w.timeframeWeek, detail: verdict.detail }];
  if (verdict.urgency === 'month') return [{ rule: 'timeframe.month', points: w.timeframeMonth, detail: verdict.detail }];
  return [];
};

const normInterest = (s: string | null): string =>
  (s ?? '')
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, '');

const tradeIn: Rule = (lead, w) =>
  lead.vehicles.some((v) => normInterest(v.interest) === 'tradein') ? [{ rule: 'trade-in', points: w.tradeIn, detail: 'a trade-in vehicle is described' }] : [];

const price: Rule = (lead, w) => {
  // A trade-in's price is what the customer hopes to get, not what they mean to spend.
  const shopping = lead.vehicles.filter((v) => !['tradein', 'sell'].includes(normInterest(v.interest)));
  const priced = shopping.find((v) => v.price !== null && v.price > 0);
  if (priced !== undefined) return [{ rule: 'price', points: w.price, detail: `price ${priced.price} on the vehicle of interest` }];
  const ranged = shopping.find((v) => v.priceRange !== null && v.priceRange !== undefined && (v.priceRange.min !== null || v.priceRange.max !== null));
  if (ranged?.priceRange) {
    const { min, max } = ranged.priceRange;
    return [{ rule: 'price', points: w.price, detail: `budget range ${min ?? '?'}-${max ?? '?'}` }];
  }
  return [];
};

const source: Rule = (lead, w) => {
  const key = (s: string | null | undefined) => s?.trim().toLowerCase() ?? '';
  const name = key(lead.source);
  const category = key(lead.sourceCategory);
  // Object.hasOwn: a source named `constructor` must not pick up Object.prototype.
  if (name !== '' && Object.hasOwn(w.sources, name)) return pointsFor('source', w.sources[name], `source ${name}`);
  if (category !== '' && Object.hasOwn(w.sources, category)) return pointsFor('source', w.sources[category], `source category ${category}`);
  return pointsFor('source', w.sourceDefault, `source ${name === '' ? 'unknown' : name} (default weight)`);
};

function pointsFor(rule: string, points: number | undefined, detail: string): ScoreReason[] {
  return points === undefined ? [] : [{ rule, points, detail }];
}

const recency: Rule = (lead, w, now) => {
  const at = lead.requestDate === null ? Number.NaN : Date.parse(lead.requestDate);
  if (Number.isNaN(at)) return [];
  // A request date slightly in the future is sender clock skew: treat it as just now.
  const days = Math.max(0, (now.getTime() - at) / DAY_MS);
  const age = `submitted ${days < 1 ? `${Math.floor(days * 24)} hours` : `${Math.floor(days)} days`} ago`;
  if (days < 1) return [{ rule: 'recency.day', points: w.recencyDay, detail: age }];
  if (days < 7) return [{ rule: 'recency.week', points: w.recencyWeek, detail: age }];
  if (days > 30) return [{ rule: 'recency.stale', points: w.recencyStale, detail: age }];
  return [];
};

const comments: Rule = (lead, w) => (hasText(lead.customer.comments) ? [{ rule: 'comments', points: w.comments, detail: 'customer wrote comments' }] : []);

/** In evaluation order, which is also the order of `reasons`. */
const RULES: readonly Rule[] = [contact, email, phone, timeframe, tradeIn, price, source, recency, comments];

/** Overrides on top of the defaults; `sources` merges per key rather than replacing the table. */
export function resolveWeights(overrides: Partial<ScoringWeights> | undefined): ScoringWeights {
  const base = DEFAULT_SCORING_WEIGHTS;
  return { ...base, ...overrides, sources: { ...base.sources, ...overrides?.sources } };
}

/** Higher is never a lower tier: hot at or above hotThreshold, warm at or above warmThreshold. */
export function tierFor(score: number, weights: Pick<ScoringWeights, 'hotThreshold' | 'warmThreshold'>): Tier {
  if (score >= weights.hotThreshold) return 'hot';
  if (score >= weights.warmThreshold) return 'warm';
  return 'cold';
}

// Weights come from operator config: rounding keeps the score an integer and the reasons summing
// to it exactly; a non-finite weight counts as 0 rather than poisoning the whole score.
const sanitize = (points: number): number => (Number.isFinite(points) ? Math.round(points) : 0);

/**
 * Scores a lead. `weights` overrides DEFAULT_SCORING_WEIGHTS (pass undefined for the defaults);
 * `now` is the workflow's current time. Same input, same output.
 */
export function scoreLead(lead: ScoringInput, weights: Partial<ScoringWeights> | undefined, now: Date): ScoreResult {
  const w = resolveWeights(weights);
  const reasons = RULES.flatMap((rule) => rule(lead, w, now))
    .map((r) => ({ ...r, points: sanitize(r.points) }))
    .filter((r) => r.points !== 0);
  const raw = reasons.reduce((sum, r) => sum + r.points, 0);
  const score = Math.min(100, Math.max(0, raw));
  return { score, tier: tierFor(score, w), reasons };
}
