// customer > contact / timeframe / comments, and the name and phone rules vendor and provider
// contacts share. Field names follow the ADF DTD; the tolerated variants are the ones seen in
// real feeds (see docs/integration-notes.md, "ADF / XML").
import type { CountryCode } from 'libphonenumber-js';
import type { AdfAddress, AdfCustomer, AdfPhone, AdfTimeframe } from './types.js';
import { normalizeEmail, regionFor, toE164 } from './contact.js';
import { parseAdfDate } from './dates.js';
import { collapse, multiline } from './text.js';
import { attrOf, hasChildElements, kid, kids, textOf, type XNode } from './xml.js';

const FIRST_PARTS = new Set(['first', 'given', 'firstname']);
const LAST_PARTS = new Set(['last', 'surname', 'family', 'lastname']);
// Spec says "cellphone"; feeds say mobile/cell. One word lets routing pick SMS-capable numbers.
const MOBILE_TYPES = new Set(['cellphone', 'cell', 'cellular', 'mobile', 'cell phone', 'mobile phone', 'wireless']);

export const textIn = (node: XNode | null, name: string): string | null => collapse(textOf(kid(node, name)));
export const lowerAttr = (node: XNode | null, name: string): string | null => collapse(attrOf(node, name) ?? '')?.toLowerCase() ?? null;

export interface PersonName {
  firstName: string | null;
  lastName: string | null;
  fullName: string | null;
}

/** first/last as given; full from part="full" (or a name without part), else "first last". */
export function personName(contact: XNode | null): PersonName {
  let firstName: string | null = null;
  let lastName: string | null = null;
  let full: string | null = null;
  for (const name of kids(contact, 'name')) {
    const value = collapse(textOf(name));
    if (value === null) continue;
    const part = lowerAttr(name, 'part');
    if (part !== null && FIRST_PARTS.has(part)) firstName ??= value;
    else if (part !== null && LAST_PARTS.has(part)) lastName ??= value;
    else if (part === null || part === 'full') full ??= value;
    // middle and suffix have no slot in the output and are not guessed into one.
  }
  const joined = [firstName, lastName].filter((s) => s !== null).join(' ');
  return { firstName, lastName, fullName: full ?? (joined === '' ? null : joined) };
}

export function phonesOf(contact: XNode | null, region: CountryCode): AdfPhone[] {
  return kids(contact, 'phone').flatMap((node) => {
    const raw = collapse(textOf(node));
    if (raw === null) return [];
    const type = lowerAttr(node, 'type');
    return [{ raw, e164: toE164(raw, region), type: type !== null && MOBILE_TYPES.has(type) ? 'cellphone' : type, time: lowerAttr(node, 'time') }];
  });
}

export function emailsOf(contact: XNode | null): string[] {
  const valid = kids(contact, 'email')
    .map((n) => normalizeEmail(textOf(n)))
    .filter((e) => e !== null);
  return [...new Set(valid)];
}

function addressOf(node: XNode | null): AdfAddress | null {
  if (node === null) return null;
  // Lines in `line` order when numbered (producers emit them out of order), else as written.
  const streets = kids(node, 'street')
    .map((s, i) => ({ order: Number(attrOf(s, 'line') ?? NaN), i, text: collapse(textOf(s)) }))
    .sort((a, b) => (Number.isFinite(a.order) && Number.isFinite(b.order) ? a.order - b.order : 0) || a.i - b.i)
    .map((s) => s.text)
    .filter((s) => s !== null);
  // ADF has a separate <apartment>; the output has no slot, so it becomes the last street line.
  const apartment = textIn(node, 'apartment');
  if (apartment !== null) streets.push(apartment);
  return {
    street: streets,
    city: textIn(node, 'city'),
    region: textIn(node, 'regioncode'),
    postalCode: textIn(node, 'postalcode'),
    country: textIn(node, 'country'),
  };
}

const dateOrText = (text: string | null): string | null => (text === null ? null : (parseAdfDate(text) ?? text));

function timeframeOf(node: XNode | null): AdfTimeframe | null {
  if (node === null) return null;
  // Plain text ("within a week") is the description; structured children win when present.
  const own = collapse(textOf(node));
  const timeframe: AdfTimeframe = hasChildElements(node)
    ? {
        description: textIn(node, 'description') ?? own,
        earliestDate: dateOrText(textIn(node, 'earliestdate')),
        latestDate: dateOrText(textIn(node, 'latestdate')),
      }
    : { description: own, earliestDate: null, latestDate: null };
  return Object.values(timeframe).every((v) => v === null) ? null : timeframe;
}

function commentsOf(customer: XNode | null): string | null {
  const parts = kids(customer, 'comments')
    .map((c) => multiline(textOf(c)))
    .filter((c) => c !== null);
  return parts.length === 0 ? null : parts.join('\n');
}

/** The contact flagged primarycontact="1", else the first one. */
export function primaryContact(parent: XNode | null): XNode | null {
  const contacts = kids(parent, 'contact');
  return contacts.find((c) => attrOf(c, 'primarycontact')?.trim() === '1') ?? contacts[0] ?? null;
}

export function customerOf(node: XNode | null): AdfCustomer {
  const contact = primaryContact(node);
  const address = addressOf(kid(contact, 'address'));
  const region = regionFor(address?.country ?? null, address?.region ?? null);
  return {
    ...personName(contact),
    emails: emailsOf(contact),
    phones: phonesOf(contact, region),
    address,
    timeframe: timeframeOf(kid(node, 'timeframe')),
    comments: commentsOf(node),
  };
}
