// Phone enrichment. The `max` metadata is needed: the default (`min`) build cannot tell a mobile
// from a landline, and getType() then returns undefined for every number.
import { isSupportedCountry, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import type { PhoneEnrichment, PhoneType } from './types.js';

const MAX_PHONE = 64; // longer text is not a phone number, whatever digits it contains
const DEFAULT_REGION = 'US'; // most ADF traffic is North American

const KNOWN_TYPES = new Set<string>([
  'mobile',
  'fixed_line',
  'fixed_line_or_mobile',
  'voip',
  'toll_free',
  'premium_rate',
  'shared_cost',
  'personal_number',
  'pager',
  'uan',
  'voicemail',
]);

function toPhoneType(type: string | undefined): PhoneType {
  const lower = type?.toLowerCase() ?? 'unknown';
  return KNOWN_TYPES.has(lower) ? (lower as PhoneType) : 'unknown';
}

/** Parses `raw` (national numbers read in `region`) and classifies it; invalid numbers stay visible. */
export function enrichPhone(raw: string, region?: string): PhoneEnrichment {
  const upper = region?.trim().toUpperCase() ?? '';
  const country = isSupportedCountry(upper) ? upper : DEFAULT_REGION;
  const parsed = raw.length <= MAX_PHONE ? parsePhoneNumberFromString(raw, country) : undefined;
  if (parsed === undefined) return { raw, e164: null, valid: false, type: 'unknown', country: null };
  const valid = parsed.isValid();
  return {
    raw,
    e164: parsed.number,
    valid,
    // A type for a number that is not valid would be a guess from its prefix alone.
    type: valid ? toPhoneType(parsed.getType()) : 'unknown',
    country: parsed.country ?? null,
  };
}
