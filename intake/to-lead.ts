// An ADF prospect becomes a lead input: its identity from the source's prospect id (or the
// contact when there is none), its contact from the customer, and the whole prospect as payload.
import type { AdfProspect } from '../domain/adf/types.js';
import type { LeadInput } from '../workflows/lead/contract.js';

const slug = (s: string) =>
  s
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^-+|-+$/g, '') || 'adf';

export function prospectToLeadInput(p: AdfProspect): LeadInput {
  const id = p.ids.find((i) => i.value.trim() !== '');
  const source = slug(id?.source ?? p.provider?.name ?? p.vendor?.name ?? 'adf');
  const phone = p.customer.phones[0];
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
  };
}
