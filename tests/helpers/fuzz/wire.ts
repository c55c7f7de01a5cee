// Requests as a hostile client writes them, for the API fuzzers (tests/integration/fuzz-api-*.test.ts):
// text on the wire (percent-encoding, lone surrogates as invalid UTF-8, broken escapes), request
// targets, query strings and content types.
import fc from 'fast-check';
import { nastyString } from './support.js';

/** UTF-8 of `s`, except that a lone surrogate becomes its 3-byte CESU form (not valid UTF-8). */
export function wtf8(s: string): Buffer {
  const parts: Buffer[] = [];
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    parts.push(cp >= 0xd800 && cp <= 0xdfff ? Buffer.from([0xed, 0xa0 | ((cp >> 6) & 0x1f), 0x80 | (cp & 0x3f)]) : Buffer.from(ch));
  }
  return Buffer.concat(parts);
}

/** Percent-encodes everything but unreserved characters (lone surrogates as invalid UTF-8). */
export const pct = (s: string): string =>
  [...wtf8(s)]
    .map((b) => (/[A-Za-z0-9\-._~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`))
    .join('');

/** Percent-encodings that broke decoders: NUL, invalid and overlong UTF-8, truncated escapes, a surrogate. */
export const BAD_ESCAPES = [
  '%00',
  '%C3%28',
  '%',
  '%zz',
  '%E0%A4%A',
  '%ED%A0%80',
  '%C0%AF',
  '%C0%80',
  '%F8%88%80%80%80',
  '%EF%BF%BF',
  '%FF',
  '%u0041',
  '%2',
  '%%',
  '%0D%0A',
  '%2F',
  '%2E%2E',
  '%5C',
];
export const PRINTABLE = Array.from({ length: 0x7f - 0x21 }, (_, i) => String.fromCharCode(0x21 + i));

/** A printable-ASCII string (what can legally appear raw in a request target or a header). */
export const ascii = (maxLength: number) => fc.string({ unit: fc.constantFrom(...PRINTABLE), maxLength });
/** A header value a real client can send. */
export const headerValue = fc.string({ unit: fc.constantFrom(...PRINTABLE, ' ', '\t'), maxLength: 80 }).map((s) => s.trim());

/** A URL component: properly encoded hostile text, raw ASCII, or broken escapes. */
export const component = (maxLength = 40): fc.Arbitrary<string> =>
  fc.oneof(
    { arbitrary: nastyString(maxLength).map(pct), weight: 4 },
    // Raw, minus what would end the segment (a backslash is a slash to URL parsers).
    { arbitrary: ascii(maxLength).map((s) => s.replace(/[?#/\\&=]/g, '')), weight: 2 },
    { arbitrary: fc.array(fc.oneof(fc.constantFrom(...BAD_ESCAPES), ascii(4).map(pct)), { minLength: 1, maxLength: 5 }).map((p) => p.join('')), weight: 2 },
    { arbitrary: fc.integer({ min: 101, max: 2100 }).map((n) => 'x'.repeat(n)), weight: 1 },
  );

/**
 * Whether the router can match this request target: every path segment decodes and none is longer
 * than the app's maxParamLength. The router refuses the others (400, 414) before any route, hook
 * or audit row, like a 404.
 */
export const routable = (url: string): boolean =>
  (url.split('?')[0] ?? '').split('/').every((seg) => {
    try {
      decodeURIComponent(seg);
      return seg.length <= 1500;
    } catch {
      return false;
    }
  });

/** One path segment standing for an id or a token. */
// Not a dot segment, spelled plainly or percent-encoded: an HTTP client resolves `..`, `%2E%2E`,
// `.%2e` … away (WHATWG URL), so the request would reach another route than the one the property expects.
export const pathParam: fc.Arbitrary<string> = component(60).filter((s) => s !== '' && !/^(?:\.|%2e){1,2}$/i.test(s));

export const QUERY_KEYS = [
  'limit',
  'offset',
  'status',
  'campaign',
  'tier',
  'q',
  'lead',
  'lead_id',
  'step',
  'stauts',
  '__proto__',
  'constructor',
  'limit[]',
  'a[b]',
  '',
];
export const QUERY_VALUES = [
  '0',
  '1',
  '50',
  '500',
  '501',
  '-1',
  '1.5',
  '1e3',
  '0x10',
  ' 1',
  '1 ',
  '+1',
  '2147483648',
  '9223372036854775807',
  '9223372036854775808',
  '99999999999999999999',
  '1e20',
  'NaN',
  'Infinity',
  'true',
  'null',
  '',
  'hot',
  'warm',
  'cold',
  'open',
  'resolved',
  'received',
  'lead:fuzz:x',
  '%',
  '100%25',
  '_',
];

/** A query string: known and unknown keys, repeated keys, valid, hostile and broken values. */
export const queryString: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constant(''), weight: 1 },
  {
    arbitrary: fc
      .array(
        fc.tuple(
          fc.oneof(fc.constantFrom(...QUERY_KEYS).map(pct), component(12)),
          fc.oneof(fc.constantFrom(...QUERY_VALUES).map(pct), component(40)),
          fc.constantFrom('=', '', '=='),
        ),
        { minLength: 1, maxLength: 6 },
      )
      .map((pairs) => `?${pairs.map(([k, v, eq]) => (eq === '' ? k : `${k}${eq}${v}`)).join('&')}`),
    weight: 8,
  },
  { arbitrary: fc.constantFrom('?', '?&&&', '?=', '?&=&', '?limit=1&limit=2', '?offset=1e400', '?q=%00', '?q=%C3%28', `?q=${'a'.repeat(5000)}`), weight: 1 },
  // The paging pair alone, with edge numbers: what reaches the database's LIMIT and OFFSET.
  {
    arbitrary: fc
      .tuple(fc.constantFrom(...QUERY_VALUES), fc.constantFrom(...QUERY_VALUES), fc.boolean())
      .map(([limit, offset, both]) => (both ? `?limit=${pct(limit)}&offset=${pct(offset)}` : `?offset=${pct(offset)}`)),
    weight: 2,
  },
);

export const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=latin1',
  'application/json; charset=utf-16',
  'APPLICATION/JSON',
  'application/json;;',
  'application/vnd.api+json',
  'application/problem+json',
  'text/plain',
  'text/plain; charset=utf-8',
  'application/xml',
  'text/xml',
  'message/rfc822',
  'application/x-adf+xml',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/octet-stream',
  '*/*',
  'json',
  ';',
  '',
];
/** A content type: a real one, a near miss, printable garbage, or none. */
export const contentType: fc.Arbitrary<string | null> = fc.oneof(
  { arbitrary: fc.constantFrom(...CONTENT_TYPES), weight: 6 },
  { arbitrary: headerValue, weight: 1 },
  { arbitrary: fc.constant(null), weight: 1 },
);
