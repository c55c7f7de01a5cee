// Request bodies for the API fuzzers (tests/integration/fuzz-api-*.test.ts): values that do not fit
// a field, schema-shaped lead bodies with mutated fields, any body at all, and the fixture corpora
// (ADF documents and e-mails) the mutations start from.
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { hugeString, nastyString } from './support.js';

export const WRONG_TYPES: unknown[] = [0, -1, 1.5, 1e308, true, false, null, [], {}, [1, 'a'], { a: 1 }, '', ' ', '0', 'true', 'null', '[]', '{}'];
/** A nested value `depth` levels deep (the API refuses deeper than 32). */
export const nested = (depth: number, leaf: unknown, arrays: boolean): unknown => {
  let v = leaf;
  for (let i = 0; i < depth; i++) v = arrays ? [v] : { d: v };
  return v;
};
export const deepValue = fc.tuple(fc.integer({ min: 20, max: 60 }), fc.boolean()).map(([d, arrays]) => nested(d, 'x', arrays));
export const nastyKeyObject = fc.dictionary(nastyString(10), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 });

/** A value that does not fit a field: wrong type, hostile or huge text, nesting, any JSON. */
export const badValue: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.constantFrom(...WRONG_TYPES), weight: 3 },
  { arbitrary: nastyString(60), weight: 4 },
  { arbitrary: hugeString, weight: 1 },
  { arbitrary: fc.jsonValue({ maxDepth: 2 }), weight: 1 },
  { arbitrary: deepValue, weight: 1 },
  { arbitrary: fc.constant(undefined), weight: 2 },
);

/** Mostly the valid value, sometimes a bad one (so only a few whole bodies are valid). */
export const field = <T>(valid: fc.Arbitrary<T>, validWeight = 4): fc.Arbitrary<unknown> =>
  fc.oneof({ arbitrary: valid, weight: validWeight }, { arbitrary: badValue, weight: 1 });
/** A body object with, sometimes, extra members. */
export const withExtras = (base: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<Record<string, unknown>> =>
  fc.tuple(base, fc.option(nastyKeyObject, { freq: 4 })).map(([b, extra]) => (extra === null ? b : { ...b, ...extra }));

export const email = fc
  .tuple(fc.stringMatching(/^[a-z][a-z0-9.]{0,15}$/), fc.constantFrom('example.com', 'example.net', 'mail.example.org'))
  .map(([l, d]) => `${l.replace(/\.+$/, '')}@${d}`);
export const phone = fc.constantFrom('+14155550123', '+1 415 555 0124', '(415) 555-0125', '+442071838750', '+33142685300');

/** POST /leads bodies: schema-shaped, each field sometimes replaced by a bad value. */
export const leadBody = withExtras(
  fc.record(
    {
      source: field(fc.constantFrom('fuzz', 'web', 'Fuzz Dealer', 'İstanbul')),
      externalId: field(fc.option(fc.stringMatching(/^[A-Za-z0-9-]{1,24}$/))),
      campaignId: field(fc.option(fc.constantFrom('spring', 'c-1', 'Summer Sale'))),
      contact: fc.oneof(
        {
          arbitrary: fc.record(
            {
              firstName: field(fc.option(fc.constantFrom('Jane', 'Zoë', 'محمد', '李'))),
              lastName: field(fc.option(fc.constantFrom('Doe', "O'Brien"))),
              email: field(fc.option(email)),
              phone: field(fc.option(phone)),
            },
            { requiredKeys: [] },
          ),
          weight: 6,
        },
        { arbitrary: badValue, weight: 1 },
      ),
      payload: field(
        fc.oneof(
          fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 4 }),
          deepValue.map((d) => ({ d })),
          nastyKeyObject,
        ),
      ),
    },
    { requiredKeys: [] },
  ),
);

/** Any body at all: JSON of anything, bytes, invalid UTF-8 inside JSON, deep or truncated JSON. */
export const anyBody: fc.Arbitrary<string | Buffer> = fc.oneof(
  { arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)), weight: 3 },
  {
    arbitrary: fc.anything({ maxDepth: 3 }).map((v) => {
      try {
        return JSON.stringify(v) ?? '';
      } catch {
        return '';
      }
    }),
    weight: 1,
  },
  { arbitrary: fc.uint8Array({ maxLength: 512 }).map((b) => Buffer.from(b)), weight: 2 },
  {
    arbitrary: fc
      .tuple(nastyString(20), fc.uint8Array({ minLength: 1, maxLength: 8 }))
      .map(([k, b]) =>
        Buffer.concat([Buffer.from(`{"source":"x","contact":{"email":"a@b.example"},"${k.replace(/["\\]/g, '')}":"`), Buffer.from(b), Buffer.from('"}')]),
      ),
    weight: 2,
  },
  {
    arbitrary: fc
      .tuple(fc.integer({ min: 1, max: 5000 }), fc.constantFrom('[', '{"a":'))
      .map(([n, open]) => `${open.repeat(n)}1${(open === '[' ? ']' : '}').repeat(n)}`),
    weight: 1,
  },
  {
    arbitrary: fc.tuple(leadBody, fc.nat()).map(([b, cut]) => {
      const s = JSON.stringify(b);
      return s.slice(0, cut % (s.length + 1));
    }),
    weight: 1,
  },
  {
    arbitrary: fc.constantFrom(
      '',
      ' ',
      'null',
      '""',
      '[]',
      '{}',
      '\ufeff{}',
      '{"__proto__":{"source":"x"}}',
      '{"constructor":{"prototype":{}}}',
      '1e400',
      '{"a":1,"a":2}',
    ),
    weight: 1,
  },
);

const FIXTURES = path.resolve(import.meta.dirname, '../../fixtures');
const corpus = (dir: string, ext: string): Buffer[] =>
  fs
    .readdirSync(path.join(FIXTURES, dir))
    .filter((f) => f.endsWith(ext))
    .sort()
    .map((f) => fs.readFileSync(path.join(FIXTURES, dir, f)));
/** tests/fixtures/adf/*.xml and tests/fixtures/mail/*.eml, as bytes. */
export const ADF_CORPUS = corpus('adf', '.xml');
export const MAIL_CORPUS = corpus('mail', '.eml');

export const asBuffer = (b: string | Buffer): Buffer => (typeof b === 'string' ? Buffer.from(b) : b);
