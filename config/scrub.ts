// Value-level PII scrubbing for logs we do not shape ourselves (the Temporal SDK's worker and
// workflow logs carry workflow IDs, and a lead's ID can contain its e-mail or phone number).
// Key-based redaction (logger.ts) covers our own structured logs; this covers free text.

const EMAIL = /[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/g;
// E.164 and long digit runs written as phone numbers; short numbers (ports, counts, years) stay.
const PHONE = /\+\d{7,15}\b|\b\d{3}[\s.-]\d{3}[\s.-]\d{4}\b/g;

export function scrubText(s: string): string {
  return s.replace(EMAIL, '[email]').replace(PHONE, '[phone]');
}

/** Deep copy with every string scrubbed; non-plain objects (errors) become their scrubbed text. */
export function scrub(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrubText(value);
  if (value === null || typeof value !== 'object' || depth > 6) return value;
  if (value instanceof Error) return scrubText(value.stack ?? value.message);
  if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrub(v, depth + 1)]));
}
