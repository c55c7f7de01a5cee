// Fuzzing the inbound mail classifier with mutated copies of the fixture mails
// (tests/helpers/fuzz/mail-mutations.ts): structural mutations (byte flips, truncation, splices of
// MIME and DSN syntax, duplicated headers, broken boundaries and line endings), and growth to
// ~200 KB (huge headers and bodies) that must stay fast. The contract
// (tests/helpers/fuzz/mail-contract.ts): a well-shaped Classification or an UnreadableMailError,
// never another error, never a hang, never a slow call. FUZZ_RUNS scales the runs, FUZZ_SEED /
// FUZZ_PATH replay a failure (tests/helpers/fuzz/support.ts).
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import fc from 'fast-check';
import { MailFuzz, SLOW_MS } from '../helpers/fuzz/mail-contract.js';
import { CORPUS, growing, mutate, structural, type Mutation } from '../helpers/fuzz/mail-mutations.js';
import { fuzzOptions } from '../helpers/fuzz/support.js';

/** A fixture mail (by index) and the mutations applied to it in order. */
const scenario = (mutation: fc.Arbitrary<Mutation>, maxLength: number) =>
  fc.record({ mail: fc.nat({ max: CORPUS.length - 1 }), mutations: fc.array(mutation, { minLength: 1, maxLength }) });
const mutated = ({ mail, mutations }: { mail: number; mutations: Mutation[] }): Buffer => mutations.reduce(mutate, CORPUS[mail]?.bytes ?? Buffer.alloc(0));

describe('mail classifier fuzzing: mutated fixture mails', () => {
  const fuzz = new MailFuzz();
  after(() => fuzz.close());

  test('structurally mutated fixture mails: a Classification or UnreadableMailError', async (t) => {
    await fuzz.assertProperty(
      fc.asyncProperty(scenario(structural, 4), async (s) => fuzz.check(mutated(s))),
      fuzzOptions(1000, 20_000),
    );
    t.diagnostic(fuzz.summary());
    const kinds = fuzz.stats.kinds;
    assert.ok(Object.keys(kinds).length >= 4, `the mutations keep most kinds reachable: ${JSON.stringify(kinds)}`);
  });

  test(`fixture mails grown to ~200 KB (huge headers and bodies, duplicated headers): each classified within ${SLOW_MS} ms`, async (t) => {
    await fuzz.assertProperty(
      fc.asyncProperty(scenario(fc.oneof(growing, structural), 3), async (s) => fuzz.check(mutated(s))),
      fuzzOptions(120, 30_000),
    );
    t.diagnostic(fuzz.summary());
  });
});
