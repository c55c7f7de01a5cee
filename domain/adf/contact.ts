// E-mail addresses and phone numbers, the two fields lead routing acts on. A value the
// downstream senders cannot use must not look usable: invalid e-mails are dropped (the JSON
// shape has no slot for them) and invalid phones keep their raw text with e164 = null.
import { isSupportedCountry, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
// The single-function module: importing all of `validator` costs ~90 ms of CLI start-up. It is
// CommonJS typed as an ES module, so the callable sits on `.default` for TypeScript (at run time
// module.exports is the function and carries `.default` too).
import isEmailModule from 'validator/lib/isEmail.js';
import { findTextProblem } from '../text/checks.js';
import { collapse } from './text.js';

const isEmail = isEmailModule.default;

const MAX_EMAIL = 254; // RFC 5321 path limit; also keeps the validator's regexes cheap
const MAX_PHONE = 64; // longer text is not a phone number, whatever digits it contains

/** Lower-cased, `mailto:`-free address if valid, else null. */
export function normalizeEmail(raw: string): string | null {
  let text = collapse(raw);
  if (text === null) return null;
  if (/^mailto:/i.test(text)) text = text.slice(7).split('?')[0] ?? '';
  text = text.replace(/^<|>$/g, '').trim().toLowerCase();
  if (text.length === 0 || text.length > MAX_EMAIL) return null;
  // Not valid Unicode (an unpaired surrogate): no address, and validator's isEmail would throw.
  return findTextProblem(text) === null && isEmail(text) ? text : null;
}

/** E.164 if libphonenumber-js considers the number valid for the region, else null. */
export function toE164(raw: string, region: CountryCode): string | null {
  if (raw.length > MAX_PHONE) return null;
  const phone = parsePhoneNumberFromString(raw, region);
  return phone?.isValid() ? phone.number : null;
}

const CANADIAN_PROVINCES = new Set(['AB', 'BC', 'MB', 'NB', 'NL', 'NS', 'NT', 'NU', 'ON', 'PE', 'QC', 'SK', 'YT']);
const COUNTRY_NAMES: Readonly<Record<string, CountryCode>> = {
  USA: 'US',
  'UNITED STATES': 'US',
  'UNITED STATES OF AMERICA': 'US',
  CAN: 'CA',
  CANADA: 'CA',
  MEX: 'MX',
  MEXICO: 'MX',
};

/** The phone region implied by an address: its country, else a Canadian province, else US. */
export function regionFor(country: string | null, regionCode: string | null): CountryCode {
  const c = country?.trim().toUpperCase() ?? '';
  if (c.length === 2 && isSupportedCountry(c)) return c;
  if (Object.hasOwn(COUNTRY_NAMES, c)) return COUNTRY_NAMES[c] ?? 'US';
  if (regionCode !== null && CANADIAN_PROVINCES.has(regionCode.trim().toUpperCase())) return 'CA';
  // Most ADF traffic is North American; a NANP number parses the same with US or CA.
  return 'US';
}
