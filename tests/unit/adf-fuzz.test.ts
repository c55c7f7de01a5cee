// Fuzzing parseAdf with mutated copies of the good fixtures. The contract under test: for ANY
// input it returns a well-shaped AdfDocument or throws AdfParseError (never 'internal', never
// another error), and no single call is slow. Override with ADF_FUZZ_RUNS / ADF_FUZZ_SEED.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { inspect } from 'node:util';
import fc from 'fast-check';
import { AdfParseError, parseAdf } from '../../domain/adf/parse.js';
import { assertAdfShape, fixtureBytes, GOOD_FIXTURES } from '../fixtures/adf/support.js';

const RUNS = Number(process.env.ADF_FUZZ_RUNS ?? 3000);
const SEED = process.env.ADF_FUZZ_SEED === undefined ? undefined : Number(process.env.ADF_FUZZ_SEED);
const SLOW_MS = 2000;
const corpus = GOOD_FIXTURES.map((name) => fixtureBytes(name));

// Splices that have broken XML parsers before: markup fragments, entity tricks, nesting bombs.
const TOKENS = [
  '<',
  '>',
  '&',
  ']]>',
  '<![CDATA[',
  '<!--',
  '-->',
  '<?',
  '?>',
  '"',
  "'",
  '=',
  '/>',
  '</',
  '\r\n',
  '\u0000',
  '\ufeff',
  '\ud800',
  '💥',
  'é',
  '<!DOCTYPE adf [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>',
  '<!DOCTYPE adf>',
  '<!DOCTYPE adf SYSTEM "file:///etc/passwd">',
  '<?xml version="1.0" encoding="UTF-16"?>',
  '<?xml version="1.0" encoding="bogus"?>',
  '<!ELEMENT x ANY>',
  '&#0;',
  '&#x110000;',
  '&#xD800;',
  '&#99999999999999;',
  '&amp;',
  '&lol;',
  '&nbsp;',
  '&;',
  '&#;',
  '<prospect>',
  '</prospect>',
  '<vehicle>',
  '</vehicle>',
  '<customer>',
  '<name part="full">',
  '<adf>',
  '</adf>',
  '<a b="1" b="2">',
  '<a b>',
  '<__proto__>',
  '<constructor>',
  '<x:y xmlns:x="u">',
  '<x>'.repeat(150),
  '<'.repeat(64),
  '&'.repeat(64),
];
const VALUES = [
  '99999999999999999999999999',
  '1e400',
  '-1',
  '-0',
  'NaN',
  '0x1F',
  '$1,2,3.4.5',
  '',
  ' ',
  '9'.repeat(400),
  '2026-02-30T25:61',
  '+99:99',
  'mailto:',
  'a@b',
  '+1'.repeat(60),
];
const VALUE_ELEMENT = /<(year|price|odometer|requestdate|phone|email|vin|earliestdate|id|street|name)\b[^>]*>([^<]*)</g;

type Mutation =
  | { kind: 'flip'; at: number; value: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'duplicateTag' | 'deleteTag'; at: number }
  | { kind: 'value'; which: number; text: string };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.oneof(fc.constantFrom(...TOKENS), fc.string({ unit: 'binary', maxLength: 24 })) }),
  fc.record({ kind: fc.constantFrom('duplicateTag' as const, 'deleteTag' as const), at: fc.nat() }),
  // Weighted up: value swaps keep documents well-formed, so they exercise normalisation.
  {
    arbitrary: fc.record({
      kind: fc.constant('value' as const),
      which: fc.nat(),
      text: fc.oneof(fc.constantFrom(...VALUES), fc.string({ unit: 'grapheme', maxLength: 40 })),
    }),
    weight: 4,
  },
);

function tagSpan(bytes: Buffer, at: number): [number, number] | null {
  const start = bytes.indexOf(0x3c, at % bytes.length); // '<'
  const end = start === -1 ? -1 : bytes.indexOf(0x3e, start); // '>'
  return start === -1 || end === -1 ? null : [start, end + 1];
}

function mutate(bytes: Buffer, m: Mutation): Buffer {
  if (bytes.length === 0) return bytes;
  const at = m.kind === 'value' ? 0 : m.at % (bytes.length + 1);
  switch (m.kind) {
    case 'flip': {
      const copy = Buffer.from(bytes);
      copy[at % bytes.length] = m.value;
      return copy;
    }
    case 'truncate':
      return bytes.subarray(0, at);
    case 'insert':
      return Buffer.concat([bytes.subarray(0, at), Buffer.from(m.text), bytes.subarray(at)]);
    case 'duplicateTag':
    case 'deleteTag': {
      const span = tagSpan(bytes, at);
      if (!span) return bytes;
      const [s, e] = span;
      return m.kind === 'deleteTag' ? Buffer.concat([bytes.subarray(0, s), bytes.subarray(e)]) : Buffer.concat([bytes.subarray(0, e), bytes.subarray(s)]);
    }
    case 'value': {
      // Swap one field's text for a hostile value (latin1 keeps every byte as one char).
      const text = bytes.toString('latin1');
      const matches = [...text.matchAll(VALUE_ELEMENT)];
      const hit = matches[m.which % Math.max(matches.length, 1)];
      if (!hit) return bytes;
      const valueStart = hit.index + hit[0].length - 1 - (hit[2]?.length ?? 0);
      return Buffer.concat([bytes.subarray(0, valueStart), Buffer.from(m.text), bytes.subarray(valueStart + (hit[2]?.length ?? 0))]);
    }
  }
}

interface Stats {
  runs: number;
  accepted: number;
  codes: Record<string, number>;
  maxMs: number;
}

/** The contract for one input; returns the call's duration. */
function checkContract(input: string | Uint8Array, stats: Stats): void {
  const start = performance.now();
  let result: unknown;
  let error: unknown = null;
  try {
    result = parseAdf(input);
  } catch (err) {
    error = err;
  }
  const ms = performance.now() - start;
  stats.runs++;
  stats.maxMs = Math.max(stats.maxMs, ms);
  assert.ok(ms < SLOW_MS, `one call took ${ms.toFixed(0)} ms`);
  if (error === null) {
    assertAdfShape(result);
    stats.accepted++;
    return;
  }
  assert.ok(error instanceof AdfParseError, `threw ${inspect(error)}`);
  assert.notEqual(error.code, 'internal', error.message);
  stats.codes[error.code] = (stats.codes[error.code] ?? 0) + 1;
  for (const n of [error.line, error.column]) assert.ok(n === null || (Number.isInteger(n) && n >= 1), `bad position ${String(n)}`);
  assert.ok(!error.message.includes('\n'), 'message is one line');
}

const summary = (s: Stats): string => `${s.runs} inputs: ${s.accepted} parsed, rejected ${JSON.stringify(s.codes)}; max ${s.maxMs.toFixed(1)} ms per call`;

describe('parseAdf fuzzing', () => {
  test(`${RUNS} mutated documents: a well-shaped result or AdfParseError, each call < ${SLOW_MS} ms`, (t) => {
    const stats: Stats = { runs: 0, accepted: 0, codes: {}, maxMs: 0 };
    // Text input additionally gets one splice at string level, where lone surrogates survive.
    const textSplice = fc.option(fc.record({ at: fc.nat(), text: fc.oneof(fc.constantFrom(...TOKENS), fc.string({ unit: 'binary', maxLength: 8 })) }));
    const scenario = fc.record({
      doc: fc.nat({ max: corpus.length - 1 }),
      mutations: fc.array(mutation, { minLength: 1, maxLength: 5 }),
      asText: fc.boolean(),
      textSplice,
    });
    fc.assert(
      fc.property(scenario, ({ doc, mutations, asText, textSplice: splice }) => {
        const bytes = mutations.reduce(mutate, corpus[doc] ?? Buffer.alloc(0));
        if (!asText) return checkContract(bytes, stats);
        const text = bytes.toString('utf8');
        const at = splice ? splice.at % (text.length + 1) : 0;
        checkContract(splice ? text.slice(0, at) + splice.text + text.slice(at) : text, stats);
      }),
      { numRuns: RUNS, ...(SEED === undefined ? {} : { seed: SEED }) },
    );
    t.diagnostic(summary(stats));
    assert.ok(stats.accepted > 0 && stats.runs - stats.accepted > 0, 'the mutations both keep and break documents');
  });

  test('every truncation of the standard fixture', (t) => {
    const stats: Stats = { runs: 0, accepted: 0, codes: {}, maxMs: 0 };
    const bytes = fixtureBytes('standard.xml');
    for (let end = 0; end <= bytes.length; end++) checkContract(bytes.subarray(0, end), stats);
    t.diagnostic(summary(stats));
  });
});
