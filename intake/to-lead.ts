// An ADF prospect becomes a lead input: its identity from the source's prospect id (or the
// contact when there is none), its contact from the customer, the whole prospect as payload, and
// the inboxes its dealer answers from (DEALER_INBOXES) when the dealer has a set.
import type { DealerInboxes } from '../config/index.js';
import type { AdfProspect } from '../domain/adf/types.js';
import type { LeadInput } from '../workflows/lead/contract.js';

const slug = (s: string) =>
  s
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^-+|-+$/g, '') || 'adf';

/**
 * The dealer's inboxes: by the ADF vendor (the dealership the lead is for: `Honda North` is
 * `honda-north`), else by the lead's source (a feed that is one dealer's, the key salespeople's
 * teams use too). None: the lead goes out from the channel's implicit inbox, as before.
 */
export function dealerInboxesOf(p: AdfProspect, source: string, dealers: DealerInboxes): string[] | undefined {
  const vendor = p.vendor?.name?.trim() ? slug(p.vendor.name) : null;
  const key = vendor !== null && Object.hasOwn(dealers, vendor) ? vendor : Object.hasOwn(dealers, source) ? source : null;
  return key === null ? undefined : [...(dealers[key] ?? [])];
}

export function prospectToLeadInput(p: AdfProspect, dealers: DealerInboxes = {}): LeadInput {
  const id = p.ids.find((i) => i.value.trim() !== '');
  const source = slug(id?.source ?? p.provider?.name ?? p.vendor?.name ?? 'adf');
  const phone = p.customer.phones[0];
  const inboxes = dealerInboxesOf(p, source, dealers);
  return {
    source,
    externalId: id?.value.trim() ?? null,
    campaignId: null,
    contact: {
      firstName: p.customer.firstName,
      lastName: p.customer.lastName,
      email: p.customer.emails[0] ?? null,
      phone: phone === undefined ? null : (phone.e164 ?? phone.raw),
    },
    payload: { adf: p },
    ...(inboxes !== undefined && { inboxes }),
  };
}
