// A/B assignment: which variant of a step a lead gets. Deterministic (a hash of the lead ID and
// the step, never a random draw or a counter), so a replayed, retried or restarted draft picks the
// same arm, and weighted: a 3:1 split sends ~75 % of leads the first arm.
import { createHash } from 'node:crypto';
import type { CampaignVariant } from './spec.js';

/** A uniform number in [0, 1) from the lead and step: 52 bits of SHA-256, so no modulo bias worth naming. */
export function variantPoint(leadId: string, step: number): number {
  const h = createHash('sha256').update(`${leadId}\u0000step:${step}`).digest();
  // 52 bits: the most a double holds exactly.
  const hi = h.readUInt32BE(0) >>> 12; // 20 bits
  const lo = h.readUInt32BE(4); // 32 bits
  return (hi * 2 ** 32 + lo) / 2 ** 52;
}

/** The variant of `variants` lead `leadId` gets on `step`; weights need not sum to anything. */
export function assignVariant<V extends Pick<CampaignVariant, 'id' | 'weight'>>(leadId: string, step: number, variants: readonly V[]): V {
  if (variants.length === 0) throw new Error('a step needs at least one variant');
  const total = variants.reduce((s, v) => s + Math.max(0, v.weight), 0);
  if (!(total > 0)) throw new Error('the variants of a step need a positive total weight');
  let x = variantPoint(leadId, step) * total;
  for (const v of variants) {
    const w = Math.max(0, v.weight);
    if (x < w) return v;
    x -= w;
  }
  // Only reachable through rounding at the very top of the range.
  return variants.filter((v) => v.weight > 0).at(-1) as V;
}
