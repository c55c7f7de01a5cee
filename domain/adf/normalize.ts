// The parsed <adf> tree to the JSON payload a lead workflow carries (types.ts). Everything here
// is total: odd or missing values become null or are skipped, never an exception.
import type { AdfDocument, AdfId, AdfProspect, AdfProvider, AdfVehicle, AdfVendor } from './types.js';
import { regionFor } from './contact.js';
import { customerOf, emailsOf, lowerAttr, personName, phonesOf, primaryContact, textIn } from './customer.js';
import { parseAdfDate } from './dates.js';
import { parseAmount, parseInteger, parseYear } from './numbers.js';
import { collapse } from './text.js';
import { attrOf, kid, kids, textOf, type XNode } from './xml.js';

function idsOf(prospect: XNode): AdfId[] {
  return kids(prospect, 'id').flatMap((node) => {
    const value = collapse(textOf(node));
    return value === null ? [] : [{ source: collapse(attrOf(node, 'source') ?? ''), sequence: parseInteger(attrOf(node, 'sequence')), value }];
  });
}

function priceOf(vehicle: XNode): number | null {
  for (const price of kids(vehicle, 'price')) {
    // A price with `delta` is relative to another one (e.g. -500 off MSRP), not a price itself.
    if (attrOf(price, 'delta') !== null) continue;
    const amount = parseAmount(textOf(price));
    if (amount !== null) return amount;
  }
  return null;
}

function vehicleOf(node: XNode): AdfVehicle {
  const vin = textIn(node, 'vin')?.replace(/\s+/g, '').toUpperCase() ?? null;
  const odometer = textIn(node, 'odometer');
  const year = textIn(node, 'year');
  return {
    // No DTD defaults (buy/new) are filled in: a trade-in without status="used" would read as new.
    interest: lowerAttr(node, 'interest'),
    status: lowerAttr(node, 'status'),
    year: year === null ? null : parseYear(year),
    make: textIn(node, 'make'),
    model: textIn(node, 'model'),
    trim: textIn(node, 'trim'),
    vin: vin === '' ? null : vin,
    stock: textIn(node, 'stock'),
    price: priceOf(node),
    odometer: odometer === null ? null : parseAmount(odometer),
  };
}

/** A party's phone as one string: E.164 when valid, else the raw text (it is still a lead). */
function partyPhone(own: XNode | null, contact: XNode | null): string | null {
  const region = regionFor(textIn(kid(contact, 'address'), 'country'), textIn(kid(contact, 'address'), 'regioncode'));
  const phone = phonesOf(own, region)[0] ?? phonesOf(contact, region)[0];
  return phone ? (phone.e164 ?? phone.raw) : null;
}

function partyEmail(own: XNode | null, contact: XNode | null): string | null {
  return emailsOf(own)[0] ?? emailsOf(contact)[0] ?? null;
}

function vendorOf(node: XNode | null): AdfVendor | null {
  if (node === null) return null;
  const contact = primaryContact(node);
  // Feeds often omit <vendorname>; the contact's name is a person, so it is not promoted to it.
  return { name: textIn(node, 'vendorname'), contactName: personName(contact).fullName, email: partyEmail(null, contact), phone: partyPhone(null, contact) };
}

function providerOf(node: XNode | null): AdfProvider | null {
  if (node === null) return null;
  const contact = primaryContact(node);
  return {
    name: textIn(node, 'name'),
    service: textIn(node, 'service'),
    url: textIn(node, 'url'),
    email: partyEmail(node, contact),
    phone: partyPhone(node, contact),
  };
}

function prospectOf(node: XNode): AdfProspect {
  return {
    status: lowerAttr(node, 'status') === 'resend' ? 'resend' : 'new',
    ids: idsOf(node),
    requestDate: parseAdfDate(textIn(node, 'requestdate')),
    customer: customerOf(kid(node, 'customer')),
    vehicles: kids(node, 'vehicle').map(vehicleOf),
    vendor: vendorOf(kid(node, 'vendor')),
    provider: providerOf(kid(node, 'provider')),
  };
}

export function normalizeAdf(adf: XNode): AdfDocument {
  return { prospects: kids(adf, 'prospect').map(prospectOf) };
}
