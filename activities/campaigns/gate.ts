// The campaign's say over a lead's next slot: none while the campaign is paused or cancelled, and
// none outside its sending window. Read where slots are granted; the send gate reads the status
// once more right before the provider call (activities/send/ledger.ts), so a pause acknowledged
// by the API holds for every lead of the campaign at once, without a signal to any of them.
import { campaignStatusRefusal, type SlotGrantView } from '../../db/index.js';
import type { CampaignSpec } from '../../domain/campaigns/spec.js';
import { campaignWindowOpensAt } from '../../temporal/campaign-leads.js';

export function campaignHold(
  c: SlotGrantView['campaign'],
  req: { recipientTimeZone: string | null },
  now: number,
  recheckMs: number,
): { reason: string; retryAt: number } | null {
  if (c === undefined) return null;
  const refused = campaignStatusRefusal(c);
  if (refused !== null) return { reason: refused, retryAt: now + recheckMs };
  const spec = c.spec as unknown as CampaignSpec;
  const open = campaignWindowOpensAt(spec.window, now, req.recipientTimeZone);
  if (open === null) return { reason: `the sending window of campaign ${c.id} does not open within 60 days`, retryAt: now + 86_400_000 };
  if (open > now) return { reason: `outside the sending window of campaign ${c.id} until ${new Date(open).toISOString()}`, retryAt: open };
  return null;
}
